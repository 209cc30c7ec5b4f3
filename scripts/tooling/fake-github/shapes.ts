/**
 * The JSON the fake answers with: GitHub's shapes for users, labels, issues, comments, commits and
 * refs, started from real webhook payloads (@octokit/webhooks-examples, extracted in
 * test/fixtures/github-webhooks/), and pagination with GitHub's Link header.
 */
import type { ServerResponse } from 'node:http';
// Real webhook payloads from @octokit/webhooks-examples (npm run refresh:github-webhooks).
import webhookFixture from '../../../test/fixtures/github-webhooks/examples.json' with { type: 'json' };
import type { FakeRepository } from './repository.ts';
import type { FakeComment, FakeIssue } from './types.ts';

const webhookExamples = webhookFixture.events;

interface WebhookExample {
  name: string;
  examples: Array<{ action?: string; issue?: Record<string, unknown>; comment?: Record<string, unknown> }>;
}
const examples = webhookExamples as unknown as WebhookExample[];
const issueExample = examples.find((e) => e.name === 'issues')!.examples.find((e) => e.action === 'opened')!.issue!;
const commentExample = examples
  .find((e) => e.name === 'issue_comment')!
  .examples.find((e) => e.action === 'created')!.comment!;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The repository's numeric id: GitHub's Link headers name repositories by it. */
export const REPO_ID = 186853002;

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
