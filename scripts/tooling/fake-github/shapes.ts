/**
 * The JSON the fake answers with: GitHub's shapes for users, labels, issues, comments, commits,
 * refs, repositories, workflow runs and artifacts, started from real webhook payloads
 * (@octokit/webhooks-examples, extracted in test/fixtures/github-webhooks/), and pagination with
 * GitHub's Link header.
 */
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
// Real webhook payloads from @octokit/webhooks-examples (npm run refresh:github-webhooks).
import webhookFixture from '../../../test/fixtures/github-webhooks/examples.json' with { type: 'json' };
import { iso, type FakeRepository } from './repository.ts';
import type { FakeArtifact, FakeComment, FakeIssue, FakeWorkflowRun } from './types.ts';

const webhookExamples = webhookFixture.events;

interface WebhookExample {
  name: string;
  examples: Array<{
    action?: string;
    issue?: Record<string, unknown>;
    comment?: Record<string, unknown>;
    repository?: Record<string, unknown>;
  }>;
}
const examples = webhookExamples as unknown as WebhookExample[];
const issuesOpened = examples.find((e) => e.name === 'issues')!.examples.find((e) => e.action === 'opened')!;
const issueExample = issuesOpened.issue!;
// The repository of that payload is the one the fake plays (REPO_ID is its id).
const repositoryExample = issuesOpened.repository!;
const commentExample = examples
  .find((e) => e.name === 'issue_comment')!
  .examples.find((e) => e.action === 'created')!.comment!;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The repository's numeric id: GitHub's Link headers name repositories by it. */
export const REPO_ID = 186853002;

/** How long GitHub keeps an artifact unless a workflow asks otherwise: 90 days. */
const RETENTION_MS = 90 * 24 * 3600 * 1000;

const hex = (algorithm: string, data: string | Uint8Array) => createHash(algorithm).update(data).digest('hex');

/** A number for a name (a fork, its owner, a workflow file), the same in every run of the tests. */
export const stableId = (text: string): number => parseInt(hex('sha1', text).slice(0, 7), 16);

/** The id GitHub gives the workflow of a file: the same for every run of it. */
export const workflowIdOf = (path: string): number => stableId(`workflow ${path}`);

/** Where the fake is: its address (known once it listens), the repository and its branch. */
export interface FakeAddress {
  baseUrl: string;
  owner: string;
  repo: string;
  branch: string;
  /** `/repos/{owner}/{repo}` */
  repoPath: string;
  perPageMax: number;
}

/** Renders the repository's objects as GitHub's REST API does. */
export class Shapes {
  private readonly repository: FakeRepository;
  readonly where: FakeAddress;
  constructor(repository: FakeRepository, where: FakeAddress) {
    this.repository = repository;
    this.where = where;
  }

  api(path: string): string {
    return `${this.where.baseUrl}${path}`;
  }

  userJson(user: { login: string; id: number }) {
    // GitHub escapes a bot's brackets in its URLs ("github-actions%5Bbot%5D"); a bot's page is its app's.
    const bot = user.login.endsWith('[bot]');
    const json = clone(issueExample.user) as Record<string, unknown>;
    for (const [key, value] of Object.entries(json))
      if (typeof value === 'string' && value.startsWith('https://api.github.com/users/'))
        json[key] = value.replace(
          /^https:\/\/api\.github\.com\/users\/[^/{]+/,
          this.api(`/users/${encodeURIComponent(user.login)}`),
        );
    return {
      ...json,
      login: user.login,
      id: user.id,
      node_id: Buffer.from(`04:${bot ? 'Bot' : 'User'}${user.id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      html_url: bot
        ? `https://github.com/apps/${user.login.slice(0, -'[bot]'.length)}`
        : `https://github.com/${user.login}`,
      type: bot ? 'Bot' : 'User',
    };
  }
  labelJson(name: string) {
    const label = this.repository.ensureLabel(name);
    return {
      id: label.id,
      node_id: Buffer.from(`LA_${label.id}`).toString('base64'),
      url: this.api(`${this.where.repoPath}/labels/${encodeURIComponent(name)}`),
      name,
      color: label.color,
      default: false,
      description: label.description,
    };
  }
  issueJson(issue: FakeIssue) {
    return {
      ...(clone(issueExample) as Record<string, unknown>),
      url: this.api(`${this.where.repoPath}/issues/${issue.number}`),
      repository_url: this.api(this.where.repoPath),
      labels_url: this.api(`${this.where.repoPath}/issues/${issue.number}/labels{/name}`),
      comments_url: this.api(`${this.where.repoPath}/issues/${issue.number}/comments`),
      events_url: this.api(`${this.where.repoPath}/issues/${issue.number}/events`),
      html_url: `https://github.com/${this.where.owner}/${this.where.repo}/issues/${issue.number}`,
      id: 900000 + issue.number,
      node_id: Buffer.from(`I_${issue.number}`).toString('base64'),
      number: issue.number,
      title: issue.title,
      body: issue.body,
      user: this.userJson(issue.user),
      labels: issue.labels.map((name) => this.labelJson(name)),
      state: issue.state,
      state_reason: issue.state_reason,
      locked: false,
      assignee: null,
      assignees: [],
      milestone: null,
      comments: issue.comments.length,
      reactions: {
        ...(clone(issueExample.reactions) as object),
        url: this.api(`${this.where.repoPath}/issues/${issue.number}/reactions`),
      },
      created_at: issue.created_at,
      updated_at: issue.updated_at,
      closed_at: issue.state === 'closed' ? issue.updated_at : null,
      author_association: 'NONE',
      closed_by: null,
    };
  }
  commentJson(issue: FakeIssue, comment: FakeComment) {
    return {
      ...(clone(commentExample) as Record<string, unknown>),
      url: this.api(`${this.where.repoPath}/issues/comments/${comment.id}`),
      html_url: `https://github.com/${this.where.owner}/${this.where.repo}/issues/${issue.number}#issuecomment-${comment.id}`,
      issue_url: this.api(`${this.where.repoPath}/issues/${issue.number}`),
      id: comment.id,
      node_id: Buffer.from(`IC_${comment.id}`).toString('base64'),
      user: this.userJson(comment.user),
      body: comment.body,
      created_at: comment.created_at,
      updated_at: comment.updated_at,
      author_association: 'NONE',
    };
  }
  private gitUser(date: string) {
    return {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
      date,
    };
  }
  commitJson(sha: string) {
    const commit = this.repository.commits.get(sha)!;
    return {
      sha,
      node_id: Buffer.from(`C_${sha}`).toString('base64'),
      url: this.api(`${this.where.repoPath}/git/commits/${sha}`),
      html_url: `https://github.com/${this.where.owner}/${this.where.repo}/commit/${sha}`,
      author: this.gitUser(commit.date),
      committer: { name: 'GitHub', email: 'noreply@github.com', date: commit.date },
      message: commit.message,
      tree: { sha: commit.tree, url: this.api(`${this.where.repoPath}/git/trees/${commit.tree}`) },
      parents: commit.parents.map((parent) => ({
        sha: parent,
        url: this.api(`${this.where.repoPath}/git/commits/${parent}`),
        html_url: `https://github.com/${this.where.owner}/${this.where.repo}/commit/${parent}`,
      })),
      verification: { verified: true, reason: 'valid', signature: null, payload: null, verified_at: commit.date },
    };
  }
  refJson() {
    return {
      ref: `refs/heads/${this.where.branch}`,
      node_id: 'REF_main',
      url: this.api(`${this.where.repoPath}/git/refs/heads/${this.where.branch}`),
      object: {
        sha: this.repository.head(),
        type: 'commit',
        url: this.api(`${this.where.repoPath}/git/commits/${this.repository.head()}`),
      },
    };
  }

  /** `owner/repo` of the repository the fake plays. */
  get fullName(): string {
    return `${this.where.owner}/${this.where.repo}`;
  }
  /** A repository's id: REPO_ID for this one, a number of its own for another (a fork). */
  repositoryId(fullName: string): number {
    return fullName === this.fullName ? REPO_ID : stableId(`repository ${fullName}`);
  }
  /**
   * A repository as workflow runs embed it (GitHub's `minimal-repository`): this one, or another
   * (a fork) with its own name, id and owner, from the webhook payload's repository.
   */
  repositoryJson(fullName: string) {
    const [login = '', name = ''] = fullName.split('/');
    const exampleName = String(repositoryExample.full_name);
    const json = clone(repositoryExample);
    for (const [key, value] of Object.entries(json))
      if (typeof value === 'string')
        json[key] = value
          .replace(`https://api.github.com/repos/${exampleName}`, this.api(`/repos/${fullName}`))
          .replace(`github.com/${exampleName}`, `github.com/${fullName}`)
          .replace(`github.com:${exampleName}`, `github.com:${fullName}`);
    const id = this.repositoryId(fullName);
    return {
      ...json,
      id,
      node_id: Buffer.from(`010:Repository${id}`).toString('base64'),
      name,
      full_name: fullName,
      owner: this.userJson({ login, id: stableId(`user ${login}`) }),
      fork: fullName !== this.fullName,
      default_branch: this.where.branch,
    };
  }
  /** The run's head commit: the branch's own when the fake holds it, else (a fork's) made up from the run. */
  private headCommitJson(run: FakeWorkflowRun, author: { login: string; id: number }) {
    const own = run.headRepository === this.fullName && /^[0-9a-f]{40}$/.test(run.head_sha);
    const commit = own ? this.repository.commits.get(run.head_sha) : undefined;
    return {
      id: run.head_sha,
      tree_id: commit?.tree ?? hex('sha1', `tree of ${run.head_sha}`),
      message: commit?.message ?? `A commit of ${run.headRepository}`,
      timestamp: commit?.date ?? run.created_at,
      // The account's noreply address: the bot's ("…[bot]@…") fails the description's email format.
      author: { name: author.login, email: `${author.id}+${author.login}@users.noreply.github.com` },
      committer: { name: 'GitHub', email: 'noreply@github.com' },
    };
  }
  /** A workflow run (GitHub's `workflow-run`), triggered by the owner of its head repository. */
  workflowRunJson(run: FakeWorkflowRun) {
    const { repoPath, owner, repo } = this.where;
    const runPath = `${repoPath}/actions/runs/${run.id}`;
    const workflowId = workflowIdOf(run.path);
    const checkSuiteId = run.id + 20_000_000_000;
    const [login = ''] = run.headRepository.split('/');
    const actor = { login, id: stableId(`user ${login}`) };
    const headCommit = this.headCommitJson(run, actor);
    return {
      id: run.id,
      name: run.name,
      node_id: `WFR_${Buffer.from(String(run.id)).toString('base64url')}`,
      head_branch: run.head_branch,
      head_sha: run.head_sha,
      path: run.path,
      // GitHub's title: the commit's first line for a push, else (no run-name here) the workflow's name.
      display_title: run.event === 'push' ? headCommit.message.split('\n')[0] : run.name,
      run_number: this.repository.workflowRuns.filter((r) => r.path === run.path && r.id <= run.id).length,
      event: run.event,
      status: run.status,
      conclusion: run.conclusion,
      workflow_id: workflowId,
      check_suite_id: checkSuiteId,
      check_suite_node_id: `CS_${Buffer.from(String(checkSuiteId)).toString('base64url')}`,
      url: this.api(runPath),
      html_url: `https://github.com/${owner}/${repo}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.created_at,
      updated_at: run.created_at,
      actor: this.userJson(actor),
      run_attempt: 1,
      referenced_workflows: [],
      run_started_at: run.created_at,
      triggering_actor: this.userJson(actor),
      jobs_url: this.api(`${runPath}/jobs`),
      logs_url: this.api(`${runPath}/logs`),
      check_suite_url: this.api(`${repoPath}/check-suites/${checkSuiteId}`),
      artifacts_url: this.api(`${runPath}/artifacts`),
      cancel_url: this.api(`${runPath}/cancel`),
      rerun_url: this.api(`${runPath}/rerun`),
      previous_attempt_url: null,
      workflow_url: this.api(`${repoPath}/actions/workflows/${workflowId}`),
      head_commit: headCommit,
      repository: this.repositoryJson(this.fullName),
      head_repository: this.repositoryJson(run.headRepository),
    };
  }
  /** An artifact (GitHub's `artifact`) whose download is `zip`: its size and digest are the zip's. */
  artifactJson(artifact: FakeArtifact, zip: Uint8Array) {
    const run = this.repository.mustRun(artifact.runId);
    const path = `${this.where.repoPath}/actions/artifacts/${artifact.id}`;
    const retained = Date.parse(artifact.created_at) + RETENTION_MS;
    return {
      id: artifact.id,
      node_id: Buffer.from(`010:Artifact${artifact.id}`).toString('base64'),
      name: artifact.name,
      size_in_bytes: zip.byteLength,
      url: this.api(path),
      archive_download_url: this.api(`${path}/zip`),
      expired: artifact.expired === true,
      created_at: artifact.created_at,
      // An artifact marked expired expired by now at the latest.
      expires_at: iso(new Date(artifact.expired ? Math.min(retained, Date.now()) : retained)),
      updated_at: artifact.created_at,
      digest: `sha256:${hex('sha256', zip)}`,
      workflow_run: {
        id: run.id,
        repository_id: REPO_ID,
        head_repository_id: this.repositoryId(run.headRepository),
        head_branch: run.head_branch,
        head_sha: run.head_sha,
      },
    };
  }

  paginate<T>(url: URL, items: T[], res: ServerResponse): T[] {
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), this.where.perPageMax);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    // GitHub's format: the request's own query with `page` set, on the /repositories/{id} form
    // of the path, in the order prev, next, last, first.
    const link = (n: number, rel: string) => {
      const target = new URL(url.toString());
      target.searchParams.set('page', String(n));
      const pathname = target.pathname.replace(this.where.repoPath, `/repositories/${REPO_ID}`);
      return `<${this.where.baseUrl}${pathname}${target.search}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    if (links.length) res.setHeader('link', links.join(', '));
    return items.slice((page - 1) * perPage, page * perPage);
  }
}
