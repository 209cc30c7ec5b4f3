/**
 * Reading issues and a signer file's history from GitHub: the processor's "list" and part of its
 * "read" stage. Thin: each function is a request or two turned into the core's types.
 */
import {
  LABELS,
  withdrawalFromCommitMessage,
  type FileHistory,
  type IssueKind,
  type IssueSnapshot,
} from '../core/decide.ts';
import type { ProcessorOctokit } from './client.ts';

export interface RepositoryRef {
  owner: string;
  repo: string;
}

/** Every open issue carrying `label`, oldest first, as the core sees an issue. */
export async function listOpenIssues(
  octokit: ProcessorOctokit,
  { owner, repo }: RepositoryRef,
  label: string,
  kind: IssueKind,
): Promise<IssueSnapshot[]> {
  const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
    owner,
    repo,
    state: 'open',
    labels: label,
    per_page: 100,
    sort: 'created',
    direction: 'asc',
  });
  return issues
    .filter((issue) => !issue.pull_request && issue.user)
    .map((issue) => ({
      number: issue.number,
      kind,
      body: issue.body ?? '',
      labels: issue.labels.map((labelItem) => (typeof labelItem === 'string' ? labelItem : (labelItem.name ?? ''))),
      author: { login: issue.user!.login, id: issue.user!.id, type: issue.user!.type },
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      comments: issue.comments,
      state_reason: issue.state_reason ?? null,
    }));
}

/** The open signature issues, then the withdrawal issues that are not also signature issues. */
export async function listSweep(octokit: ProcessorOctokit, repository: RepositoryRef): Promise<IssueSnapshot[]> {
  const signatures = await listOpenIssues(octokit, repository, LABELS.signature, 'signature');
  const numbers = new Set(signatures.map((issue) => issue.number));
  const withdrawals = (await listOpenIssues(octokit, repository, LABELS.withdrawal, 'withdrawal')).filter(
    (issue) => !numbers.has(issue.number),
  );
  return [...signatures, ...withdrawals];
}

/** The latest commit on `branch` that touched `path`, read as a possible withdrawal of `userId`. */
export async function fileHistory(
  octokit: ProcessorOctokit,
  { owner, repo }: RepositoryRef,
  branch: string,
  path: string,
  userId: number,
): Promise<FileHistory | undefined> {
  const { data } = await octokit.rest.repos.listCommits({ owner, repo, sha: branch, path, per_page: 1 });
  const latest = data[0];
  if (!latest) return undefined;
  return { sha: latest.sha, ...withdrawalFromCommitMessage(latest.commit.message, userId) };
}
