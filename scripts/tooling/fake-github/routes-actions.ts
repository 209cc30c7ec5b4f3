/**
 * The fake's Actions routes: the repository's workflow runs (all, or one workflow's), a run's
 * artifacts, and an artifact's download, which GitHub answers with a 302 to a signed URL of its
 * blob storage. The fake serves that storage itself, on another path of the same server
 * (`STORAGE_PREFIX`): the server lets it through without a token or the rate limit, as GitHub's
 * storage takes neither.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { zipSync } from 'fflate';
import { DOCS, HttpError, notFound, RawAnswer } from './repository.ts';
import type { Handler, Route, RouteContext } from './route.ts';
import { workflowIdOf } from './shapes.ts';
import type { FakeArtifact, FakeWorkflowRun } from './types.ts';

/** Where the fake's blob storage answers: not a path of GitHub's REST API. */
export const STORAGE_PREFIX = '/_blobs/';

/** The values of the `status` filter that are statuses; the others GitHub matches against conclusions. */
const STATUSES = new Set(['queued', 'in_progress', 'completed', 'requested', 'waiting', 'pending']);

/** Signs storage URLs, as GitHub's are signed: a URL made up without the key is refused. */
const STORAGE_KEY = randomBytes(32);
const signature = (path: string) => createHmac('sha256', STORAGE_KEY).update(path).digest('hex');
const blobPath = (artifactId: number) => `${STORAGE_PREFIX}artifacts/${artifactId}.zip`;

/**
 * The artifact's zip, the same bytes every time (its entries dated when it was made), so that the
 * size listed is the size downloaded.
 */
function artifactZip(artifact: FakeArtifact): Uint8Array {
  return zipSync(artifact.files, { mtime: artifact.created_at });
}

/** The runs the query's filters keep (branch, event, status or conclusion, head_sha), newest first. */
function filteredRuns(runs: readonly FakeWorkflowRun[], url: URL): FakeWorkflowRun[] {
  const query = url.searchParams;
  const [branch, event, status, headSha] = ['branch', 'event', 'status', 'head_sha'].map((name) => query.get(name));
  return runs
    .filter(
      (run) =>
        (!branch || run.head_branch === branch) &&
        (!event || run.event === event) &&
        (!status || (STATUSES.has(status) ? run.status === status : run.conclusion === status)) &&
        (!headSha || run.head_sha === headSha),
    )
    .sort((a, b) => b.id - a.id);
}

/** One page of runs, with the total the filters keep and GitHub's Link header. */
function runsPage(
  { shapes }: RouteContext,
  runs: readonly FakeWorkflowRun[],
  url: URL,
  res: ServerResponse,
): [number, unknown] {
  const kept = filteredRuns(runs, url);
  return [
    200,
    { total_count: kept.length, workflow_runs: shapes.paginate(url, kept, res).map((r) => shapes.workflowRunJson(r)) },
  ];
}

const listRepositoryRuns: Handler = (context, _m, url, _b, res) =>
  runsPage(context, context.repository.workflowRuns, url, res);

/**
 * One workflow's runs, named by its file (pages.yml) or its id. A workflow is known by its runs
 * or by its file on the branch; GitHub answers 404 for any other.
 */
const listWorkflowRuns: Handler = (context, m, url, _b, res) => {
  const { repository } = context;
  const workflow = m[1]!;
  const runs = repository.workflowRuns.filter(
    (run) => run.path.endsWith(`/${workflow}`) || String(workflowIdOf(run.path)) === workflow,
  );
  const onBranch = repository.trees.get(repository.commits.get(repository.head())!.tree)!;
  if (runs.length === 0 && !onBranch.has(`.github/workflows/${workflow}`)) throw notFound();
  return runsPage(context, runs, url, res);
};

const listRunArtifacts: Handler = ({ repository, shapes }, m, url, _b, res) => {
  const run = repository.mustRun(Number(m[1]));
  const name = url.searchParams.get('name');
  const order = url.searchParams.get('direction') === 'asc' ? 1 : -1;
  const kept = repository.artifacts
    .filter((artifact) => artifact.runId === run.id && (!name || artifact.name === name))
    .sort((a, b) => order * (a.id - b.id));
  return [
    200,
    {
      total_count: kept.length,
      artifacts: shapes
        .paginate(url, kept, res)
        .map((artifact) => shapes.artifactJson(artifact, artifactZip(artifact))),
    },
  ];
};

/** GitHub's answer to a download: 302 to a signed storage URL, or 410 Gone once the artifact expired. */
const downloadArtifact: Handler = ({ repository, shapes }, m) => {
  const artifact = repository.mustArtifact(Number(m[1]));
  // The only archive format GitHub offers for an artifact.
  if (m[2] !== 'zip') throw notFound();
  if (artifact.expired)
    throw new HttpError(410, { message: 'Artifact has expired', documentation_url: DOCS, status: '410' });
  const path = blobPath(artifact.id);
  return [302, new RawAnswer({ location: shapes.api(`${path}?sig=${signature(path)}`) })];
};

/** Blob storage's error, in its own XML rather than GitHub's JSON. */
const storageError = (code: string, message: string) =>
  new RawAnswer(
    { 'content-type': 'application/xml' },
    Buffer.from(
      `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
    ),
  );

/** The storage behind a download's redirect: the zip, for a URL the fake signed. */
const serveBlob: Handler = ({ repository }, m, url) => {
  const path = blobPath(Number(m[1]));
  const given = Buffer.from(url.searchParams.get('sig') ?? '');
  const expected = Buffer.from(signature(path));
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return [403, storageError('AuthenticationFailed', 'Server failed to authenticate the request.')];
  const artifact = repository.artifacts.find((a) => a.id === Number(m[1]));
  if (!artifact || artifact.expired) return [404, storageError('BlobNotFound', 'The specified blob does not exist.')];
  return [200, new RawAnswer({ 'content-type': 'application/zip' }, artifactZip(artifact))];
};

/** The Actions routes of the repository at `repoPath` (`/repos/{owner}/{repo}`), and the storage's. */
export function actionsRoutes(repoPath: string): Route[] {
  return [
    ['GET', new RegExp(`^${repoPath}/actions/runs$`), listRepositoryRuns],
    ['GET', new RegExp(`^${repoPath}/actions/workflows/([^/]+)/runs$`), listWorkflowRuns],
    ['GET', new RegExp(`^${repoPath}/actions/runs/(\\d+)/artifacts$`), listRunArtifacts],
    ['GET', new RegExp(`^${repoPath}/actions/artifacts/(\\d+)/([^/]+)$`), downloadArtifact],
    ['GET', new RegExp(`^${STORAGE_PREFIX}artifacts/(\\d+)\\.zip$`), serveBlob],
  ];
}
