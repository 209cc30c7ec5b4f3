/**
 * One commit through the Git Database API, so GitHub signs it as the Actions bot:
 * read the branch head → its tree → a new tree on top → a commit → move the branch with
 * force:false. If someone pushed in between, GitHub answers 422 "not a fast forward":
 * re-read and try again. Five requests per attempt, whatever the number of files.
 *
 * The changes were decided against one commit (the checkout's). Whenever the branch head is
 * another, `replan` decides them again against it before anything is written (issue #26): a
 * maintainer's removal pushed during a run must not be undone by re-applying a plan made
 * before it.
 */
import type { ProcessorOctokit } from './client.ts';

export interface CommitRequest {
  owner: string;
  repo: string;
  branch: string;
  /** Repository path → content, or null to delete. */
  changes: ReadonlyMap<string, string | null>;
  message: string;
  maxAttempts?: number;
  /** Before retrying a deletion GitHub refused, check whether the path still exists. */
  pathExists?: (path: string, ref: string) => Promise<boolean>;
  log?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** The commit the changes were decided against; the first head read when absent. */
  base?: string;
  /**
   * Decides the changes again when the branch head is not the commit they were decided against:
   * gets that commit and the new head, returns the changes and message to commit instead.
   */
  replan?: (
    decidedAt: string,
    head: string,
  ) => Promise<{ changes: ReadonlyMap<string, string | null>; message: string }>;
}

export interface CommitResult {
  /** The new commit, or undefined when the tree did not change (nothing to record). */
  sha?: string;
  /** The branch head the change was made on (or found unchanged at). */
  headSha: string;
  attempts: number;
}

function status(error: unknown): number | undefined {
  return (error as { status?: number })?.status;
}

/**
 * GitHub refused to move the branch for a reason retrying cannot fix: a branch protection rule
 * or ruleset, a missing permission. The message says what the maintainer must change.
 */
export class RefUpdateRefusedError extends Error {
  constructor(branch: string, reason: string) {
    super(
      `GitHub refused to update the branch "${branch}" (${reason}). Signatures cannot be committed until the workflow may push to it: in the repository's Settings → Rules (or Branches), let GitHub Actions bypass the rule that protects "${branch}", or run the processor with a GitHub App token that may (see docs/how-it-works.md, "The processor", protected branches). Nothing was lost: the issues stay open and the next run commits them.`,
    );
    this.name = 'RefUpdateRefusedError';
  }
}

/** The only 422 a retry can fix: someone else moved the branch between our read and our write. */
function isRace(error: unknown): boolean {
  if (status(error) !== 422) return false;
  const message = String((error as { response?: { data?: { message?: unknown } } }).response?.data?.message ?? '');
  return /not a fast.?forward/i.test(message || String((error as Error).message));
}

function refusalReason(error: unknown): string {
  const message = (error as { response?: { data?: { message?: unknown } } }).response?.data?.message;
  return `${status(error) ?? 'no status'}: ${typeof message === 'string' ? message.slice(0, 200) : (error as Error).message}`;
}

/** Commits every change in one commit, retrying on a stale branch head. */
export async function commitChanges(octokit: ProcessorOctokit, request: CommitRequest): Promise<CommitResult> {
  const { owner, repo, branch } = request;
  const maxAttempts = request.maxAttempts ?? 6;
  const sleep = request.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let changes = new Map(request.changes);
  let message = request.message;
  let decidedAt = request.base;
  for (let attempt = 1; ; attempt += 1) {
    const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    const headSha = ref.object.sha;
    if (request.replan && decidedAt !== undefined && decidedAt !== headSha) {
      request.log?.(`The branch ${branch} is at ${headSha}, not ${decidedAt}: deciding again against it.`);
      const next = await request.replan(decidedAt, headSha);
      changes = new Map(next.changes);
      message = next.message;
    }
    decidedAt = headSha;
    const { data: head } = await octokit.rest.git.getCommit({ owner, repo, commit_sha: headSha });
    const entries = [...changes].map(([path, content]) =>
      content === null
        ? { path, mode: '100644' as const, type: 'blob' as const, sha: null }
        : { path, mode: '100644' as const, type: 'blob' as const, content },
    );
    if (entries.length === 0) return { headSha, attempts: attempt };
    let treeSha: string;
    try {
      const { data: tree } = await octokit.rest.git.createTree({
        owner,
        repo,
        base_tree: head.tree.sha,
        tree: entries,
      });
      treeSha = tree.sha;
    } catch (error) {
      // A deletion of a path that is already gone (someone else removed it): drop it and retry.
      if (status(error) === 422 && request.pathExists && attempt < maxAttempts) {
        const deletions = [...changes].filter(([, content]) => content === null).map(([path]) => path);
        const gone: string[] = [];
        for (const path of deletions) if (!(await request.pathExists(path, headSha))) gone.push(path);
        if (gone.length > 0) {
          request.log?.(`Already deleted on ${branch}: ${gone.join(', ')}; retrying without them.`);
          changes = new Map([...changes].filter(([path]) => !gone.includes(path)));
          continue;
        }
      }
      throw error;
    }
    if (treeSha === head.tree.sha) return { headSha, attempts: attempt };
    const { data: commit } = await octokit.rest.git.createCommit({
      owner,
      repo,
      message,
      tree: treeSha,
      parents: [headSha],
    });
    try {
      await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: false });
      return { sha: commit.sha, headSha, attempts: attempt };
    } catch (error) {
      // A refusal for good (protection, rules, permissions) is not retried: every retry would
      // only leave one more orphan commit behind.
      const code = status(error);
      if (
        code !== undefined &&
        code >= 400 &&
        code < 500 &&
        code !== 429 &&
        !isRace(error) &&
        !/rate limit/i.test(refusalReason(error))
      )
        throw new RefUpdateRefusedError(branch, refusalReason(error));
      if (!isRace(error) || attempt >= maxAttempts) throw error;
      request.log?.(`The branch ${branch} moved while committing (attempt ${attempt}); re-reading and retrying.`);
      await sleep(Math.min(2000, 100 * 2 ** attempt) * Math.random());
    }
  }
}
