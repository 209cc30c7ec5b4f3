/**
 * A local HTTP server that behaves like the part of GitHub's REST API the processor uses:
 * issues (listing with labels/state/pagination and a Link header), comments, labels, the Git
 * Database API (refs, commits, trees with base_tree and deletions, 422 on a stale ref), contents,
 * commits by path, and GitHub's rate-limit headers. Faults can be injected per request.
 * Object shapes start from real webhook payloads (@octokit/webhooks-examples, extracted in test/fixtures/github-webhooks/); every answer is
 * checked against GitHub's OpenAPI description by openapi-conformance.test.ts.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GitBlobs, GitCommits, GitRefs, GitTrees, type StoredCommit } from './git-database.ts';
// Real webhook payloads from @octokit/webhooks-examples (npm run refresh:github-webhooks).
import webhookFixture from '../fixtures/github-webhooks/examples.json' with { type: 'json' };

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

export interface FakeIssueInput {
  number?: number;
  title?: string;
  body: string;
  labels: string[];
  user: { login: string; id: number };
  state?: 'open' | 'closed';
  state_reason?: 'completed' | 'not_planned' | 'reopened' | null;
  created_at?: string;
  comments?: number;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; id: number };
  created_at: string;
  updated_at: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  user: { login: string; id: number };
  comments: FakeComment[];
  created_at: string;
  updated_at: string;
}

export interface Fault {
  method?: string;
  path: RegExp | string;
  status: number;
  times?: number;
  headers?: Record<string, string>;
  body?: unknown;
  dropConnection?: boolean;
  /** false: apply the real change first, then answer with the fault (a lost response). */
  beforeHandling?: boolean;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  branch?: string;
  files?: Record<string, string>;
  issues?: FakeIssueInput[];
  perPageMax?: number;
  rateLimit?: number;
  token?: string;
  /** Milliseconds each response is delayed, to make concurrent clients interleave. */
  latencyMs?: number;
  /**
   * A bare git repository that holds the git database instead of memory: commits made through
   * the API are real commits there (visible to git clients), and `branch` starts at its head.
   * `files` is then ignored. Without it the fake keeps everything in memory, as before.
   */
  gitDir?: string;
}

/** GitHub's answer to too many content-creating requests, as a fault to inject. */
export function secondaryRateLimit(where: Pick<Fault, 'method' | 'path' | 'times'>, retryAfterSeconds = 60): Fault {
  return {
    ...where,
    status: 403,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:1.',
      documentation_url:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    },
  };
}

/** One answer the fake gave, as sent on the wire (for checking it against GitHub's description). */
export interface FakeExchange {
  method: string;
  /** The request target as sent: percent-encoded path and query string. */
  url: string;
  /** The request's parsed JSON body, or undefined for an empty one. */
  requestBody: unknown;
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body, or undefined for an empty one. */
  body: unknown;
  /** True when an injected fault answered rather than the fake itself. */
  injected: boolean;
}

export interface FakeGitHub {
  baseUrl: string;
  requests: Array<{ method: string; path: string; status: number }>;
  /** Every answer given (dropped connections aside), with headers and body. */
  exchanges: FakeExchange[];
  /** The method and path pattern of every route the fake serves. */
  routes: ReadonlyArray<{ method: string; pattern: RegExp }>;
  issues(): FakeIssue[];
  issue(n: number): FakeIssue;
  addIssue(input: FakeIssueInput): FakeIssue;
  editIssue(n: number, body: string): void;
  setIssueState(n: number, state: 'open' | 'closed'): void;
  /** A comment by someone other than the bot (a signer, a maintainer). */
  addComment(n: number, user: { login: string; id: number }, body: string): void;
  /**
   * Protects the branch as a rule or branch protection would: every ref update is refused with
   * GitHub's 422 "Protected branch update failed" (or `message`), until called with false.
   */
  protectBranch(protect: boolean, message?: string): void;
  files(): Record<string, string>;
  commits(): Array<{ sha: string; message: string; parents: string[]; tree: string }>;
  headSha(): string;
  pushCommit(files: Record<string, string | null>, message: string): string;
  inject(fault: Fault): void;
  /** Drops every injected fault that has not fired yet. */
  clearFaults(): void;
  labels(): string[];
  /** Called before each request is handled: lets a test act at an exact moment (e.g. push). */
  beforeRequest?: (method: string, path: string) => void;
  close(): Promise<void>;
}

const BOT = { login: 'github-actions[bot]', id: 41898282 };
/** The repository's numeric id: GitHub's Link headers name repositories by it. */
export const REPO_ID = 186853002;
const DOCS = 'https://docs.github.com/rest';

class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message));
    this.status = status;
    this.body = body;
  }
}
const notFound = () => new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
const validationFailed = (message: string, errors: unknown[] = []) =>
  new HttpError(422, { message, errors, documentation_url: DOCS, status: '422' });

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
const blobSha = (content: string) => sha1(`blob ${Buffer.byteLength(content)}\0${content}`);

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const { owner, repo } = options;
  const branch = options.branch ?? 'main';
  const perPageMax = options.perPageMax ?? 100;
  const rateLimit = options.rateLimit ?? 1000;
  let rateUsed = 0;
  const rateReset = Math.floor(Date.now() / 1000) + 3600;
  let clock = Date.parse('2026-11-24T10:00:00Z');
  const tick = () => new Date((clock += 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');

  const gitDir = options.gitDir;
  const blobs = gitDir ? new GitBlobs(gitDir) : new Map<string, string>();
  // tree sha → path → blob sha
  const trees = gitDir ? new GitTrees(gitDir) : new Map<string, Map<string, string>>();
  const commits = gitDir ? new GitCommits(gitDir) : new Map<string, StoredCommit>();
  const refs = gitDir ? new GitRefs(gitDir) : new Map<string, string>();
  const issues = new Map<number, FakeIssue>();
  const labels = new Map<string, { name: string; color: string; description: string | null; id: number }>();
  let protection: string | undefined;
  let nextIssue = 1;
  let nextComment = 1000;
  let nextLabelId = 500;
  const faults: Array<Fault & { remaining: number }> = [];
  const requests: FakeGitHub['requests'] = [];
  const exchanges: FakeExchange[] = [];

  const storeTree = (entries: Map<string, string>) => {
    if (trees instanceof GitTrees) return trees.store(entries);
    const sha = sha1(`tree ${JSON.stringify([...entries].sort(([a], [b]) => (a < b ? -1 : 1)))}`);
    trees.set(sha, new Map(entries));
    return sha;
  };
  const storeCommit = (tree: string, parents: string[], message: string) => {
    const date = tick();
    if (commits instanceof GitCommits) return commits.store(tree, parents, message, date);
    const sha = sha1(`commit ${tree} ${parents.join(',')} ${message} ${date}`);
    commits.set(sha, { sha, message, parents, tree, date });
    return sha;
  };
  const treeOfFiles = (files: Record<string, string>) => {
    const entries = new Map<string, string>();
    for (const [path, content] of Object.entries(files)) {
      const sha = blobSha(content);
      blobs.set(sha, content);
      entries.set(path, sha);
    }
    return storeTree(entries);
  };
  if (!gitDir) refs.set(branch, storeCommit(treeOfFiles(options.files ?? {}), [], 'Initial commit'));
  else if (!refs.has(branch)) throw new Error(`${gitDir} has no branch ${branch}`);

  const ensureLabel = (name: string) => {
    if (!labels.has(name)) labels.set(name, { name, color: 'ededed', description: null, id: nextLabelId++ });
    return labels.get(name)!;
  };
  const addIssue = (input: FakeIssueInput): FakeIssue => {
    const number = input.number ?? nextIssue;
    nextIssue = Math.max(nextIssue, number + 1);
    input.labels.forEach(ensureLabel);
    const created = input.created_at ?? tick();
    const issue: FakeIssue = {
      number,
      title: input.title ?? 'Signature',
      body: input.body,
      labels: [...input.labels],
      state: input.state ?? 'open',
      state_reason: input.state_reason ?? null,
      user: { ...input.user },
      comments: [],
      created_at: created,
      updated_at: created,
    };
    for (let i = 0; i < (input.comments ?? 0); i += 1)
      issue.comments.push({
        id: nextComment++,
        body: 'A comment by someone.',
        user: { login: 'someone', id: 7 },
        created_at: created,
        updated_at: created,
      });
    issues.set(number, issue);
    return issue;
  };
  (options.issues ?? []).forEach(addIssue);

  const api = (path: string) => `${baseUrl}${path}`;
  const repoPath = `/repos/${owner}/${repo}`;
  const userJson = (user: { login: string; id: number }) => {
    // GitHub escapes a bot's brackets in its URLs ("github-actions%5Bbot%5D"); a bot's page is its app's.
    const bot = user.login.endsWith('[bot]');
    const json = clone(issueExample.user) as Record<string, unknown>;
    for (const [key, value] of Object.entries(json))
      if (typeof value === 'string' && value.startsWith('https://api.github.com/users/'))
        json[key] = value.replace(
          /^https:\/\/api\.github\.com\/users\/[^/{]+/,
          api(`/users/${encodeURIComponent(user.login)}`),
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
  };
  const labelJson = (name: string) => {
    const label = ensureLabel(name);
    return {
      id: label.id,
      node_id: Buffer.from(`LA_${label.id}`).toString('base64'),
      url: api(`${repoPath}/labels/${encodeURIComponent(name)}`),
      name,
      color: label.color,
      default: false,
      description: label.description,
    };
  };
  const issueJson = (issue: FakeIssue) => ({
    ...(clone(issueExample) as Record<string, unknown>),
    url: api(`${repoPath}/issues/${issue.number}`),
    repository_url: api(repoPath),
    labels_url: api(`${repoPath}/issues/${issue.number}/labels{/name}`),
    comments_url: api(`${repoPath}/issues/${issue.number}/comments`),
    events_url: api(`${repoPath}/issues/${issue.number}/events`),
    html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}`,
    id: 900000 + issue.number,
    node_id: Buffer.from(`I_${issue.number}`).toString('base64'),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    user: userJson(issue.user),
    labels: issue.labels.map(labelJson),
    state: issue.state,
    state_reason: issue.state_reason,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments.length,
    reactions: {
      ...(clone(issueExample.reactions) as object),
      url: api(`${repoPath}/issues/${issue.number}/reactions`),
    },
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.state === 'closed' ? issue.updated_at : null,
    author_association: 'NONE',
    closed_by: null,
  });
  const commentJson = (issue: FakeIssue, comment: FakeComment) => ({
    ...(clone(commentExample) as Record<string, unknown>),
    url: api(`${repoPath}/issues/comments/${comment.id}`),
    html_url: `https://github.com/${owner}/${repo}/issues/${issue.number}#issuecomment-${comment.id}`,
    issue_url: api(`${repoPath}/issues/${issue.number}`),
    id: comment.id,
    node_id: Buffer.from(`IC_${comment.id}`).toString('base64'),
    user: userJson(comment.user),
    body: comment.body,
    created_at: comment.created_at,
    updated_at: comment.updated_at,
    author_association: 'NONE',
  });
  const gitUser = (date: string) => ({
    name: 'github-actions[bot]',
    email: '41898282+github-actions[bot]@users.noreply.github.com',
    date,
  });
  const commitJson = (sha: string) => {
    const commit = commits.get(sha)!;
    return {
      sha,
      node_id: Buffer.from(`C_${sha}`).toString('base64'),
      url: api(`${repoPath}/git/commits/${sha}`),
      html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
      author: gitUser(commit.date),
      committer: { name: 'GitHub', email: 'noreply@github.com', date: commit.date },
      message: commit.message,
      tree: { sha: commit.tree, url: api(`${repoPath}/git/trees/${commit.tree}`) },
      parents: commit.parents.map((parent) => ({
        sha: parent,
        url: api(`${repoPath}/git/commits/${parent}`),
        html_url: `https://github.com/${owner}/${repo}/commit/${parent}`,
      })),
      verification: { verified: true, reason: 'valid', signature: null, payload: null, verified_at: commit.date },
    };
  };
  const refJson = () => ({
    ref: `refs/heads/${branch}`,
    node_id: 'REF_main',
    url: api(`${repoPath}/git/refs/heads/${branch}`),
    object: { sha: refs.get(branch)!, type: 'commit', url: api(`${repoPath}/git/commits/${refs.get(branch)!}`) },
  });
  const filesAt = (commitSha: string) => {
    const tree = trees.get(commits.get(commitSha)!.tree)!;
    return Object.fromEntries([...tree].map(([path, sha]) => [path, blobs.get(sha)!]));
  };
  const isAncestor = (ancestor: string, descendant: string): boolean => {
    const stack = [descendant];
    const seen = new Set<string>();
    while (stack.length) {
      const sha = stack.pop()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(commits.get(sha)?.parents ?? []));
    }
    return false;
  };
  const paginate = <T>(url: URL, items: T[], res: ServerResponse): T[] => {
    const perPage = Math.min(Math.max(Number(url.searchParams.get('per_page') ?? 30) || 30, 1), perPageMax);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    // GitHub's format: the request's own query with `page` set, on the /repositories/{id} form
    // of the path, in the order prev, next, last, first.
    const link = (n: number, rel: string) => {
      const target = new URL(url.toString());
      target.searchParams.set('page', String(n));
      const pathname = target.pathname.replace(repoPath, `/repositories/${REPO_ID}`);
      return `<${baseUrl}${pathname}${target.search}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    if (links.length) res.setHeader('link', links.join(', '));
    return items.slice((page - 1) * perPage, page * perPage);
  };
  const mustIssue = (n: number) => {
    const issue = issues.get(n);
    if (!issue) throw notFound();
    return issue;
  };

  type Handler = (
    match: RegExpMatchArray,
    url: URL,
    body: Record<string, unknown>,
    res: ServerResponse,
  ) => [number, unknown];
  const routes: Array<[string, RegExp, Handler]> = [
    [
      'GET',
      /^\/rate_limit$/,
      () => [
        200,
        {
          resources: {
            core: { limit: rateLimit, used: rateUsed, remaining: rateLimit - rateUsed, reset: rateReset },
            search: { limit: 30, used: 0, remaining: 30, reset: Math.floor(Date.now() / 1000) + 60 },
          },
          rate: { limit: rateLimit, used: rateUsed, remaining: rateLimit - rateUsed, reset: rateReset },
        },
      ],
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/issues$`),
      (_m, url, _b, res) => {
        const state = url.searchParams.get('state') ?? 'open';
        const wanted = (url.searchParams.get('labels') ?? '')
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean);
        const since = url.searchParams.get('since');
        const sort = url.searchParams.get('sort') ?? 'created';
        const direction = url.searchParams.get('direction') ?? 'desc';
        let list = [...issues.values()].filter(
          (issue) =>
            (state === 'all' || issue.state === state) &&
            wanted.every((label) => issue.labels.includes(label)) &&
            (!since || issue.updated_at >= since),
        );
        list.sort((a, b) => {
          const key = sort === 'updated' ? 'updated_at' : 'created_at';
          const order = a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.number - b.number;
          return direction === 'asc' ? order : -order;
        });
        list = paginate(url, list, res);
        return [200, list.map(issueJson)];
      },
    ],
    ['GET', new RegExp(`^${repoPath}/issues/(\\d+)$`), (m) => [200, issueJson(mustIssue(Number(m[1])))]],
    [
      'PATCH',
      new RegExp(`^${repoPath}/issues/(\\d+)$`),
      (m, _u, body) => {
        const issue = mustIssue(Number(m[1]));
        if (body.state !== undefined) {
          if (body.state !== 'open' && body.state !== 'closed')
            throw validationFailed('Validation Failed', [{ resource: 'Issue', field: 'state', code: 'invalid' }]);
          issue.state = body.state;
          issue.state_reason =
            body.state === 'closed' ? ((body.state_reason as FakeIssue['state_reason']) ?? 'completed') : 'reopened';
        }
        if (Array.isArray(body.labels))
          issue.labels = (body.labels as Array<string | { name: string }>)
            .map((l) => (typeof l === 'string' ? l : l.name))
            .map((l) => ensureLabel(l).name);
        if (typeof body.title === 'string') issue.title = body.title;
        if (typeof body.body === 'string') issue.body = body.body;
        issue.updated_at = tick();
        return [200, issueJson(issue)];
      },
    ],
    [
      'POST',
      new RegExp(`^${repoPath}/issues/(\\d+)/labels$`),
      (m, _u, body) => {
        const issue = mustIssue(Number(m[1]));
        for (const label of (body.labels as string[]) ?? [])
          if (!issue.labels.includes(label)) issue.labels.push(ensureLabel(label).name);
        issue.updated_at = tick();
        return [200, issue.labels.map(labelJson)];
      },
    ],
    [
      'DELETE',
      new RegExp(`^${repoPath}/issues/(\\d+)/labels/([^/]+)$`),
      (m) => {
        const issue = mustIssue(Number(m[1]));
        const name = decodeURIComponent(m[2]!);
        if (!issue.labels.includes(name))
          throw new HttpError(404, { message: 'Label does not exist', documentation_url: DOCS, status: '404' });
        issue.labels = issue.labels.filter((label) => label !== name);
        issue.updated_at = tick();
        return [200, issue.labels.map(labelJson)];
      },
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/labels$`),
      (_m, url, _b, res) => [200, paginate(url, [...labels.keys()], res).map(labelJson)],
    ],
    [
      'POST',
      new RegExp(`^${repoPath}/labels$`),
      (_m, _u, body) => {
        const name = String(body.name ?? '');
        if (!name)
          throw validationFailed('Validation Failed', [{ resource: 'Label', code: 'missing_field', field: 'name' }]);
        if (labels.has(name))
          throw validationFailed('Validation Failed', [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
        if (body.color !== undefined && !/^[0-9a-f]{6}$/i.test(String(body.color)))
          throw validationFailed('Validation Failed', [{ resource: 'Label', code: 'invalid', field: 'color' }]);
        labels.set(name, {
          name,
          color: String(body.color ?? 'ededed'),
          description: (body.description as string) ?? null,
          id: nextLabelId++,
        });
        return [201, labelJson(name)];
      },
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/issues/(\\d+)/comments$`),
      (m, url, _b, res) => {
        const issue = mustIssue(Number(m[1]));
        return [200, paginate(url, issue.comments, res).map((comment) => commentJson(issue, comment))];
      },
    ],
    [
      'POST',
      new RegExp(`^${repoPath}/issues/(\\d+)/comments$`),
      (m, _u, body) => {
        const issue = mustIssue(Number(m[1]));
        if (typeof body.body !== 'string' || body.body === '')
          throw validationFailed('Validation Failed', [
            { resource: 'IssueComment', code: 'missing_field', field: 'body' },
          ]);
        const at = tick();
        const comment = { id: nextComment++, body: body.body, user: BOT, created_at: at, updated_at: at };
        issue.comments.push(comment);
        issue.updated_at = at;
        return [201, commentJson(issue, comment)];
      },
    ],
    [
      'PATCH',
      new RegExp(`^${repoPath}/issues/comments/(\\d+)$`),
      (m, _u, body) => {
        if (typeof body.body !== 'string')
          throw validationFailed('Validation Failed', [
            { resource: 'IssueComment', code: 'missing_field', field: 'body' },
          ]);
        for (const issue of issues.values()) {
          const comment = issue.comments.find((c) => c.id === Number(m[1]));
          if (comment) {
            comment.body = body.body;
            comment.updated_at = tick();
            return [200, commentJson(issue, comment)];
          }
        }
        throw notFound();
      },
    ],
    [
      'DELETE',
      new RegExp(`^${repoPath}/issues/comments/(\\d+)$`),
      (m) => {
        for (const issue of issues.values()) {
          const index = issue.comments.findIndex((c) => c.id === Number(m[1]));
          if (index >= 0) {
            issue.comments.splice(index, 1);
            return [204, undefined];
          }
        }
        throw notFound();
      },
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/git/ref/heads/(.+)$`),
      (m) => {
        if (m[1] !== branch) throw notFound();
        return [200, refJson()];
      },
    ],
    [
      'PATCH',
      new RegExp(`^${repoPath}/git/refs/heads/(.+)$`),
      (m, _u, body) => {
        if (m[1] !== branch) throw validationFailed('Reference does not exist');
        const sha = String(body.sha ?? '');
        if (!commits.has(sha)) throw validationFailed('Object does not exist');
        if (protection) throw validationFailed(protection);
        if (!body.force && !isAncestor(refs.get(branch)!, sha)) throw validationFailed('Update is not a fast forward');
        refs.set(branch, sha);
        return [200, refJson()];
      },
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/git/commits/([0-9a-f]{40})$`),
      (m) => {
        if (!commits.has(m[1]!)) throw notFound();
        return [200, commitJson(m[1]!)];
      },
    ],
    [
      'POST',
      new RegExp(`^${repoPath}/git/trees$`),
      (_m, _u, body) => {
        const baseSha = body.base_tree as string | undefined;
        if (baseSha && !trees.has(baseSha))
          throw validationFailed('Invalid tree info', [{ resource: 'Tree', code: 'invalid', field: 'base_tree' }]);
        const entries = new Map(baseSha ? trees.get(baseSha)! : []);
        for (const entry of (body.tree as Array<{
          path: string;
          mode: string;
          type: string;
          content?: string;
          sha?: string | null;
        }>) ?? []) {
          if (entry.sha === null) {
            if (!entries.has(entry.path))
              throw validationFailed('GitRPC::BadObjectState', [
                {
                  resource: 'Tree',
                  code: 'invalid',
                  field: 'tree.path',
                  message: `${entry.path} does not exist in the base tree`,
                },
              ]);
            entries.delete(entry.path);
          } else if (typeof entry.content === 'string') {
            const sha = blobSha(entry.content);
            blobs.set(sha, entry.content);
            entries.set(entry.path, sha);
          } else if (entry.sha && blobs.has(entry.sha)) {
            entries.set(entry.path, entry.sha);
          } else throw validationFailed('Invalid tree info', [{ resource: 'Tree', code: 'invalid', field: 'tree' }]);
        }
        const sha = storeTree(entries);
        return [
          201,
          {
            sha,
            url: api(`${repoPath}/git/trees/${sha}`),
            truncated: false,
            tree: [...entries].map(([path, blob]) => ({
              path,
              mode: '100644',
              type: 'blob',
              sha: blob,
              size: Buffer.byteLength(blobs.get(blob)!),
              url: api(`${repoPath}/git/blobs/${blob}`),
            })),
          },
        ];
      },
    ],
    [
      'POST',
      new RegExp(`^${repoPath}/git/commits$`),
      (_m, _u, body) => {
        const tree = String(body.tree ?? '');
        const parents = (body.parents as string[]) ?? [];
        if (!trees.has(tree) || parents.some((parent) => !commits.has(parent)))
          throw validationFailed('Invalid request');
        return [201, commitJson(storeCommit(tree, parents, String(body.message ?? '')))];
      },
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/contents/(.+)$`),
      (m, url) => {
        const ref = url.searchParams.get('ref') ?? branch;
        const commitSha = ref === branch ? refs.get(branch)! : ref;
        if (!commits.has(commitSha)) throw notFound();
        const path = decodeURIComponent(m[1]!);
        const blob = trees.get(commits.get(commitSha)!.tree)!.get(path);
        if (!blob) throw notFound();
        const content = blobs.get(blob)!;
        return [
          200,
          {
            type: 'file',
            encoding: 'base64',
            size: Buffer.byteLength(content),
            name: path.split('/').pop(),
            path,
            content: Buffer.from(content).toString('base64'),
            sha: blob,
            url: api(`${repoPath}/contents/${path}`),
            git_url: api(`${repoPath}/git/blobs/${blob}`),
            html_url: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`,
            download_url: null,
            _links: {
              self: api(`${repoPath}/contents/${path}`),
              git: api(`${repoPath}/git/blobs/${blob}`),
              html: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`,
            },
          },
        ];
      },
    ],
    [
      'GET',
      new RegExp(`^${repoPath}/commits$`),
      (_m, url, _b, res) => {
        const start =
          url.searchParams.get('sha') === branch || !url.searchParams.get('sha')
            ? refs.get(branch)!
            : url.searchParams.get('sha')!;
        const path = url.searchParams.get('path');
        const list: string[] = [];
        for (let sha: string | undefined = start; sha; sha = commits.get(sha)?.parents[0]) {
          const commit = commits.get(sha)!;
          const parent = commit.parents[0];
          const now = trees.get(commit.tree)!.get(path ?? '');
          const before = parent ? trees.get(commits.get(parent)!.tree)!.get(path ?? '') : undefined;
          if (!path || now !== before) list.push(sha);
        }
        return [
          200,
          paginate(url, list, res).map((sha) => ({
            sha,
            node_id: `C_${sha}`,
            url: api(`${repoPath}/commits/${sha}`),
            html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
            comments_url: api(`${repoPath}/commits/${sha}/comments`),
            commit: { ...commitJson(sha), comment_count: 0 },
            author: null,
            committer: null,
            parents: commitJson(sha).parents,
          })),
        ];
      },
    ],
  ];

  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const respond = () => handle(req, res, Buffer.concat(chunks).toString('utf8'));
      if (options.latencyMs) setTimeout(respond, options.latencyMs);
      else respond();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function handle(req: IncomingMessage, res: ServerResponse, rawBody: string) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // GitHub serves /repositories/{id}/… as /repos/{owner}/{repo}/… (its Link headers use it).
    if (url.pathname.startsWith(`/repositories/${REPO_ID}/`))
      url.pathname = repoPath + url.pathname.slice(`/repositories/${REPO_ID}`.length);
    const method = req.method ?? 'GET';
    const pathname = decodeURIComponent(url.pathname);
    const log = (status: number) => requests.push({ method, path: pathname, status });
    fake.beforeRequest?.(method, pathname);
    // Asking for the rate limit does not count against it.
    const exhausted = pathname !== '/rate_limit' && rateUsed >= rateLimit;
    if (!exhausted && pathname !== '/rate_limit') rateUsed += 1;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.setHeader('x-github-request-id', `FAKE:${requests.length + 1}`);
    res.setHeader('x-ratelimit-limit', String(rateLimit));
    res.setHeader('x-ratelimit-remaining', String(rateLimit - rateUsed));
    res.setHeader('x-ratelimit-used', String(rateUsed));
    res.setHeader('x-ratelimit-reset', String(rateReset));
    res.setHeader('x-ratelimit-resource', 'core');
    let injected = false;
    const send = (status: number, body: unknown) => {
      log(status);
      res.statusCode = status;
      // Like GitHub, point at what was created.
      if (status === 201 && typeof (body as { url?: unknown }).url === 'string')
        res.setHeader('location', (body as { url: string }).url);
      const headers = Object.fromEntries(
        Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)]),
      );
      let requestBody: unknown = rawBody || undefined;
      try {
        requestBody = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        // kept as text
      }
      exchanges.push({
        method,
        url: req.url ?? '/',
        requestBody,
        status,
        headers,
        body: status === 204 ? undefined : body,
        injected,
      });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };

    if (
      options.token &&
      req.headers.authorization !== `token ${options.token}` &&
      req.headers.authorization !== `Bearer ${options.token}`
    ) {
      return send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    }
    if (exhausted) {
      return send(403, {
        message: `API rate limit exceeded for installation ID 1.`,
        documentation_url: DOCS,
        status: '403',
      });
    }
    const faultIndex = faults.findIndex(
      (fault) =>
        (!fault.method || fault.method === method) &&
        (typeof fault.path === 'string'
          ? url.pathname === fault.path || url.pathname.endsWith(fault.path)
          : fault.path.test(url.pathname)),
    );
    const fault = faultIndex >= 0 ? faults[faultIndex]! : undefined;
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.splice(faultIndex, 1);
    }
    const answerFault = () => {
      if (fault!.dropConnection) {
        log(0);
        req.socket.destroy();
        return;
      }
      for (const [name, value] of Object.entries(fault!.headers ?? {})) res.setHeader(name, value);
      injected = true;
      send(fault!.status, fault!.body ?? { message: `Injected ${fault!.status}`, documentation_url: DOCS });
    };
    if (fault && fault.beforeHandling !== false) return answerFault();

    let body: Record<string, unknown> = {};
    if (rawBody) {
      try {
        body = JSON.parse(rawBody) as Record<string, unknown>;
      } catch {
        return send(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
      }
    }
    for (const [routeMethod, pattern, handler] of routes) {
      if (routeMethod !== method) continue;
      // GitHub accepts encoded slashes in refs ("heads%2Fmain"), as Octokit sends them.
      const match = decodeURIComponent(url.pathname).match(pattern);
      if (!match) continue;
      try {
        const [status, result] = handler(match, url, body, res);
        if (fault) return answerFault(); // the change happened, but the answer is lost
        return send(status, result);
      } catch (error) {
        if (error instanceof HttpError) return send(error.status, error.body);
        return send(500, { message: (error as Error).message });
      }
    }
    send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeGitHub = {
    baseUrl,
    requests,
    exchanges,
    routes: routes.map(([method, pattern]) => ({ method, pattern })),
    issues: () => [...issues.values()].sort((a, b) => a.number - b.number),
    issue: (n) => mustIssue(n),
    addIssue,
    editIssue: (n, body) => {
      const issue = mustIssue(n);
      issue.body = body;
      issue.updated_at = tick();
    },
    setIssueState: (n, state) => {
      const issue = mustIssue(n);
      issue.state = state;
      issue.state_reason = state === 'open' ? 'reopened' : 'completed';
      issue.updated_at = tick();
    },
    addComment: (n, user, body) => {
      const issue = mustIssue(n);
      const at = tick();
      issue.comments.push({ id: nextComment++, body, user: { ...user }, created_at: at, updated_at: at });
      issue.updated_at = at;
    },
    protectBranch: (protect, message = `Protected branch update failed for refs/heads/${branch}.`) => {
      protection = protect ? message : undefined;
    },
    files: () => filesAt(refs.get(branch)!),
    commits: () => {
      const list = [];
      for (let sha: string | undefined = refs.get(branch); sha; sha = commits.get(sha)?.parents[0]) {
        const { message, parents, tree } = commits.get(sha)!;
        list.push({ sha, message, parents, tree });
      }
      return list;
    },
    headSha: () => refs.get(branch)!,
    pushCommit: (files, message) => {
      const head = refs.get(branch)!;
      const entries = new Map(trees.get(commits.get(head)!.tree)!);
      for (const [path, content] of Object.entries(files)) {
        if (content === null) entries.delete(path);
        else {
          const sha = blobSha(content);
          blobs.set(sha, content);
          entries.set(path, sha);
        }
      }
      const sha = storeCommit(storeTree(entries), [head], message);
      refs.set(branch, sha);
      return sha;
    },
    inject: (fault) => faults.push({ ...fault, remaining: fault.times ?? 1 }),
    clearFaults: () => faults.splice(0, faults.length),
    labels: () => [...labels.keys()],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
