/**
 * One commit through the Git Database API, so GitHub signs it as the Actions bot:
 * read the branch head → its tree → a new tree on top → a commit → move the branch with
 * force:false. If someone pushed in between, GitHub answers 422 "not a fast forward":
 * re-read and try again. Five requests per attempt, whatever the number of files.
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

/** Commits every change in one commit, retrying on a stale branch head. */
export async function commitChanges(octokit: ProcessorOctokit, request: CommitRequest): Promise<CommitResult> {
  const { owner, repo, branch } = request;
  const maxAttempts = request.maxAttempts ?? 6;
  const sleep = request.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let changes = new Map(request.changes);
  for (let attempt = 1; ; attempt += 1) {
    const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    const headSha = ref.object.sha;
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
      message: request.message,
      tree: treeSha,
      parents: [headSha],
    });
    try {
      await octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha: commit.sha, force: false });
      return { sha: commit.sha, headSha, attempts: attempt };
    } catch (error) {
      if (status(error) !== 422 || attempt >= maxAttempts) throw error;
      request.log?.(`The branch ${branch} moved while committing (attempt ${attempt}); re-reading and retrying.`);
      await sleep(Math.min(2000, 100 * 2 ** attempt) * Math.random());
    }
  }
}
