/**
 * Finding our own builds' records (scripts/store/load-signatures-git-trusted.ts) among the
 * artifacts of the repository's workflow runs, and downloading them.
 *
 * Which runs may be trusted (issue #26: nothing but the signature files may decide what is
 * published). An artifact is uploaded only by a step of its own run (the runtime token is scoped
 * to the run), so it is as trustworthy as the code that run ran. These runs ran ours, as committed
 * on the default branch: a completed, successful run
 *
 * - of a workflow that builds the site (pages.yml, or signatures.yml and derive.yml, which call it),
 * - for an event that runs the default branch's files (a push, the schedule, a manual run, an
 *   issue), never a pull request: a fork's pull request runs its own edited workflow files in this
 *   repository, and its artifacts sit beside ours,
 * - whose head branch is the default branch and whose head repository is this one.
 *
 * Anything else, or an answer that is not what GitHub sends, is passed over; when no run is left,
 * the build reads the signature files (with the record cache) as it does without the records.
 */
import { unzipSync } from 'fflate';
import type { ProcessorOctokit } from './client.ts';

/** The artifact's name, and the one file it holds. */
export const RECORDS_ARTIFACT = 'petition-records';
export const RECORDS_FILE = 'records.ndjson';

/** The workflows that build the site and upload its records. */
export const RECORD_WORKFLOWS: readonly string[] = [
  '.github/workflows/pages.yml',
  '.github/workflows/signatures.yml',
  '.github/workflows/derive.yml',
];
/** The events whose runs run the default branch's workflow files and code. */
export const TRUSTED_EVENTS: readonly string[] = ['push', 'schedule', 'workflow_dispatch', 'issues'];

/** How many of the newest successful runs are looked through for records. */
export const RUNS_LOOKED_AT = 30;
/** Records larger than this are not downloaded (about 250 bytes a signature: twenty million). */
export const RECORDS_MAX_BYTES = 5 * 1024 ** 3;

/** The part of a workflow run (GitHub's `workflow-run`) the choice reads. */
export interface RunFacts {
  id: number;
  path?: string | null;
  event?: string | null;
  status?: string | null;
  conclusion?: string | null;
  head_branch?: string | null;
  head_sha?: string | null;
  head_repository?: { full_name?: string | null } | null;
  repository?: { full_name?: string | null } | null;
}

/** Where the records are looked for: this repository (owner/name) and its default branch. */
export interface RecordsSource {
  repository: string;
  defaultBranch: string;
}

/** Why a run's artifacts may not be trusted, or undefined when they may. */
export function untrustedBecause(run: RunFacts, source: RecordsSource): string | undefined {
  const same = (name: string | null | undefined) => (name ?? '').toLowerCase() === source.repository.toLowerCase();
  // GitHub may add "@<ref>" to a called or dynamic workflow's path.
  const workflow = (run.path ?? '').split('@')[0]!;
  if (!RECORD_WORKFLOWS.includes(workflow)) return `workflow ${workflow || '(none)'} does not build the site`;
  if (!TRUSTED_EVENTS.includes(run.event ?? '')) return `event ${run.event ?? '(none)'} may run other code`;
  if (run.status !== 'completed' || run.conclusion !== 'success') return 'did not succeed';
  if (run.head_branch !== source.defaultBranch) return `ran on ${run.head_branch ?? '(no branch)'}`;
  if (!same(run.repository?.full_name) || !same(run.head_repository?.full_name))
    return 'ran code from another repository';
  return undefined;
}

/** The runs whose artifacts may be trusted, newest first, as `runs` lists them. */
export function trustedRuns(runs: readonly RunFacts[], source: RecordsSource): RunFacts[] {
  return runs.filter((run) => untrustedBecause(run, source) === undefined);
}

/** What was found: the records' bytes and where they came from, or why there are none. */
export type FoundRecords =
  | { found: true; runId: number; headSha: string; artifactId: number; bytes: Uint8Array }
  | { found: false; why: string };

/**
 * The newest trusted run's records: lists the successful runs on the default branch, looks at
 * the trusted ones' artifacts for RECORDS_ARTIFACT, downloads the newest and takes RECORDS_FILE
 * out of its zip.
 */
export async function findRecords(octokit: ProcessorOctokit, source: RecordsSource): Promise<FoundRecords> {
  const [owner, repo] = source.repository.split('/') as [string, string];
  const listed = await octokit.rest.actions.listWorkflowRunsForRepo({
    owner,
    repo,
    branch: source.defaultBranch,
    status: 'success',
    per_page: RUNS_LOOKED_AT,
  });
  const runs = trustedRuns(listed.data.workflow_runs, source);
  for (const run of runs) {
    const artifacts = await octokit.rest.actions.listWorkflowRunArtifacts({
      owner,
      repo,
      run_id: run.id,
      name: RECORDS_ARTIFACT,
    });
    const artifact = artifacts.data.artifacts.find(
      (each) => each.name === RECORDS_ARTIFACT && !each.expired && each.size_in_bytes <= RECORDS_MAX_BYTES,
    );
    if (!artifact) continue;
    const zip = await octokit.rest.actions.downloadArtifact({
      owner,
      repo,
      artifact_id: artifact.id,
      archive_format: 'zip',
    });
    const bytes = recordsFromZip(zip.data);
    if (!bytes) return { found: false, why: `the artifact of run ${run.id} holds no ${RECORDS_FILE}` };
    return { found: true, runId: run.id, headSha: run.head_sha ?? '', artifactId: artifact.id, bytes };
  }
  return {
    found: false,
    why:
      runs.length === 0
        ? `none of the newest ${RUNS_LOOKED_AT} successful runs on ${source.defaultBranch} is one of ours`
        : `no run of ours among the newest ${RUNS_LOOKED_AT} kept its records`,
  };
}

/** RECORDS_FILE out of an artifact's zip (the download's body), or undefined when it is not there. */
export function recordsFromZip(data: unknown): Uint8Array | undefined {
  if (!(data instanceof ArrayBuffer) && !(data instanceof Uint8Array)) return undefined;
  const zip = data instanceof Uint8Array ? data : new Uint8Array(data);
  try {
    return unzipSync(zip, { filter: (file) => file.name === RECORDS_FILE })[RECORDS_FILE];
  } catch {
    return undefined;
  }
}
