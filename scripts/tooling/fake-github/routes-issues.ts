/** The fake's issue routes: the rate limit, issues, their labels and comments, and the repository's labels. */
import { BOT, DOCS, HttpError, notFound, validationFailed } from './repository.ts';
import type { Handler, Route } from './route.ts';
import type { FakeIssue } from './types.ts';

const rateLimit: Handler = ({ rate }) => [
  200,
  {
    resources: {
      core: { limit: rate.limit, used: rate.used, remaining: rate.limit - rate.used, reset: rate.reset },
      search: { limit: 30, used: 0, remaining: 30, reset: Math.floor(Date.now() / 1000) + 60 },
    },
    rate: { limit: rate.limit, used: rate.used, remaining: rate.limit - rate.used, reset: rate.reset },
  },
];

const listIssues: Handler = ({ repository, shapes }, _m, url, _b, res) => {
  const state = url.searchParams.get('state') ?? 'open';
  const wanted = (url.searchParams.get('labels') ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const since = url.searchParams.get('since');
  const sort = url.searchParams.get('sort') ?? 'created';
  const direction = url.searchParams.get('direction') ?? 'desc';
  let list = [...repository.issues.values()].filter(
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
  list = shapes.paginate(url, list, res);
  return [200, list.map((issue) => shapes.issueJson(issue))];
};

const getIssue: Handler = ({ repository, shapes }, m) => [200, shapes.issueJson(repository.mustIssue(Number(m[1])))];

const updateIssue: Handler = ({ repository, shapes }, m, _u, body) => {
  const issue = repository.mustIssue(Number(m[1]));
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
      .map((l) => repository.ensureLabel(l).name);
  if (typeof body.title === 'string') issue.title = body.title;
  if (typeof body.body === 'string') issue.body = body.body;
  issue.updated_at = repository.tick();
  return [200, shapes.issueJson(issue)];
};

const addLabels: Handler = ({ repository, shapes }, m, _u, body) => {
  const issue = repository.mustIssue(Number(m[1]));
  for (const label of (body.labels as string[]) ?? [])
    if (!issue.labels.includes(label)) issue.labels.push(repository.ensureLabel(label).name);
  issue.updated_at = repository.tick();
  return [200, issue.labels.map((name) => shapes.labelJson(name))];
};

const removeLabel: Handler = ({ repository, shapes }, m) => {
  const issue = repository.mustIssue(Number(m[1]));
  const name = decodeURIComponent(m[2]!);
  if (!issue.labels.includes(name))
    throw new HttpError(404, { message: 'Label does not exist', documentation_url: DOCS, status: '404' });
  issue.labels = issue.labels.filter((label) => label !== name);
  issue.updated_at = repository.tick();
  return [200, issue.labels.map((label) => shapes.labelJson(label))];
};

const listLabels: Handler = ({ repository, shapes }, _m, url, _b, res) => [
  200,
  shapes.paginate(url, [...repository.labels.keys()], res).map((name) => shapes.labelJson(name)),
];

const createLabel: Handler = ({ repository, shapes }, _m, _u, body) => {
  const name = String(body.name ?? '');
  if (!name) throw validationFailed('Validation Failed', [{ resource: 'Label', code: 'missing_field', field: 'name' }]);
  if (repository.labels.has(name))
    throw validationFailed('Validation Failed', [{ resource: 'Label', code: 'already_exists', field: 'name' }]);
  if (body.color !== undefined && !/^[0-9a-f]{6}$/i.test(String(body.color)))
    throw validationFailed('Validation Failed', [{ resource: 'Label', code: 'invalid', field: 'color' }]);
  repository.labels.set(name, {
    name,
    color: String(body.color ?? 'ededed'),
    description: (body.description as string) ?? null,
    id: repository.nextLabelId++,
  });
  return [201, shapes.labelJson(name)];
};

const listComments: Handler = ({ repository, shapes }, m, url, _b, res) => {
  const issue = repository.mustIssue(Number(m[1]));
  return [200, shapes.paginate(url, issue.comments, res).map((comment) => shapes.commentJson(issue, comment))];
};

const createComment: Handler = ({ repository, shapes }, m, _u, body) => {
  const issue = repository.mustIssue(Number(m[1]));
  if (typeof body.body !== 'string' || body.body === '')
    throw validationFailed('Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
  const at = repository.tick();
  const comment = { id: repository.nextComment++, body: body.body, user: BOT, created_at: at, updated_at: at };
  issue.comments.push(comment);
  issue.updated_at = at;
  return [201, shapes.commentJson(issue, comment)];
};

const updateComment: Handler = ({ repository, shapes }, m, _u, body) => {
  if (typeof body.body !== 'string')
    throw validationFailed('Validation Failed', [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }]);
  for (const issue of repository.issues.values()) {
    const comment = issue.comments.find((c) => c.id === Number(m[1]));
    if (comment) {
      comment.body = body.body;
      comment.updated_at = repository.tick();
      return [200, shapes.commentJson(issue, comment)];
    }
  }
  throw notFound();
};

const deleteComment: Handler = ({ repository }, m) => {
  for (const issue of repository.issues.values()) {
    const index = issue.comments.findIndex((c) => c.id === Number(m[1]));
    if (index >= 0) {
      issue.comments.splice(index, 1);
      return [204, undefined];
    }
  }
  throw notFound();
};

/** The issue routes of the repository at `repoPath` (`/repos/{owner}/{repo}`). */
export function issueRoutes(repoPath: string): Route[] {
  return [
    ['GET', /^\/rate_limit$/, rateLimit],
    ['GET', new RegExp(`^${repoPath}/issues$`), listIssues],
    ['GET', new RegExp(`^${repoPath}/issues/(\\d+)$`), getIssue],
    ['PATCH', new RegExp(`^${repoPath}/issues/(\\d+)$`), updateIssue],
    ['POST', new RegExp(`^${repoPath}/issues/(\\d+)/labels$`), addLabels],
    ['DELETE', new RegExp(`^${repoPath}/issues/(\\d+)/labels/([^/]+)$`), removeLabel],
    ['GET', new RegExp(`^${repoPath}/labels$`), listLabels],
    ['POST', new RegExp(`^${repoPath}/labels$`), createLabel],
    ['GET', new RegExp(`^${repoPath}/issues/(\\d+)/comments$`), listComments],
    ['POST', new RegExp(`^${repoPath}/issues/(\\d+)/comments$`), createComment],
    ['PATCH', new RegExp(`^${repoPath}/issues/comments/(\\d+)$`), updateComment],
    ['DELETE', new RegExp(`^${repoPath}/issues/comments/(\\d+)$`), deleteComment],
  ];
}
