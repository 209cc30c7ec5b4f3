/**
 * A local HTTP server that behaves like the part of GitHub's REST API our code uses:
 * issues (listing with labels/state/pagination and a Link header), comments, labels, the Git
 * Database API (refs, commits, trees with base_tree and deletions, 422 on a stale ref), contents,
 * commits by path, Actions workflow runs and their artifacts (a download redirects to the fake's
 * own blob storage), and GitHub's rate-limit headers. Faults can be injected per request.
 * Object shapes start from real webhook payloads (@octokit/webhooks-examples, extracted in test/fixtures/github-webhooks/); every answer is
 * checked against GitHub's OpenAPI description by openapi-conformance.test.ts.
 *
 * The repository's state is in repository.ts, GitHub's JSON shapes in shapes.ts, the routes in
 * routes-issues.ts, routes-git.ts and routes-actions.ts; this file serves them and injects the faults.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DOCS, FakeRepository, HttpError, RawAnswer } from './repository.ts';
import type { Route, RouteContext } from './route.ts';
import { actionsRoutes, STORAGE_PREFIX } from './routes-actions.ts';
import { gitRoutes } from './routes-git.ts';
import { issueRoutes } from './routes-issues.ts';
import { REPO_ID, Shapes } from './shapes.ts';
import type { Fault, FakeExchange, FakeGitHub, FakeGitHubOptions } from './types.ts';

export type {
  FakeArtifact,
  FakeArtifactInput,
  FakeComment,
  FakeExchange,
  FakeGitHub,
  FakeGitHubOptions,
  FakeIssue,
  FakeIssueInput,
  FakeWorkflowRun,
  FakeWorkflowRunInput,
  Fault,
} from './types.ts';
export { REPO_ID };

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

/** What serving shares: the routes and their context, the faults to inject, and the record kept. */
interface Served {
  options: FakeGitHubOptions;
  context: RouteContext;
  routes: Route[];
  faults: Array<Fault & { remaining: number }>;
  requests: FakeGitHub['requests'];
  exchanges: FakeExchange[];
  /** The handle given to the test, whose beforeRequest hook runs before each request. */
  fake: Pick<FakeGitHub, 'beforeRequest'>;
}

type Send = (status: number, body: unknown, injected?: boolean) => void;

/**
 * Sends one answer, GitHub's way, and records it (with the request) for the conformance test: a
 * JSON body, or a RawAnswer's headers and bytes as they are (a redirect, a zip).
 */
function sender(
  served: Served,
  req: IncomingMessage,
  res: ServerResponse,
  rawBody: string,
  log: (status: number) => void,
  storage: boolean,
): Send {
  return (status, body, injected = false) => {
    log(status);
    res.statusCode = status;
    const raw = body instanceof RawAnswer ? body : undefined;
    for (const [name, value] of Object.entries(raw?.headers ?? {})) res.setHeader(name, value);
    // Like GitHub, point at what was created.
    if (status === 201 && typeof (body as { url?: unknown }).url === 'string')
      res.setHeader('location', (body as { url: string }).url);
    const headers = Object.fromEntries(Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)]));
    let requestBody: unknown = rawBody || undefined;
    try {
      requestBody = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      // kept as text
    }
    served.exchanges.push({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      requestBody,
      status,
      headers,
      body: raw ? raw.bytes : status === 204 ? undefined : body,
      injected,
      storage,
    });
    res.end(raw ? raw.bytes : status === 204 ? undefined : JSON.stringify(body));
  };
}

/** The injected fault this request meets, if any, counted down and dropped once spent. */
function takeFault(faults: Served['faults'], method: string, url: URL): Fault | undefined {
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
  return fault;
}

/**
 * Runs the route that matches; a fault injected "after handling" makes the change and loses the
 * answer (`answerLost`). No route: GitHub's 404.
 */
function dispatch(
  served: Served,
  request: { method: string; url: URL; body: Record<string, unknown>; res: ServerResponse },
  send: Send,
  answerLost: (() => void) | undefined,
): void {
  const { method, url, body, res } = request;
  for (const [routeMethod, pattern, handler] of served.routes) {
    if (routeMethod !== method) continue;
    // GitHub accepts encoded slashes in refs ("heads%2Fmain"), as Octokit sends them.
    const match = decodeURIComponent(url.pathname).match(pattern);
    if (!match) continue;
    try {
      const [status, result] = handler(served.context, match, url, body, res);
      if (answerLost) return answerLost(); // the change happened, but the answer is lost
      return send(status, result);
    } catch (error) {
      if (error instanceof HttpError) return send(error.status, error.body);
      return send(500, { message: (error as Error).message });
    }
  }
  send(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
}

/**
 * The API's gate: counts the request against the rate limit, sets GitHub's headers, and refuses a
 * bad token (401) or an exhausted limit (403). False when it refused, the answer sent.
 */
function admitted(served: Served, req: IncomingMessage, res: ServerResponse, pathname: string, send: Send): boolean {
  const { options } = served;
  const { rate } = served.context;
  // Asking for the rate limit does not count against it.
  const exhausted = pathname !== '/rate_limit' && rate.used >= rate.limit;
  if (!exhausted && pathname !== '/rate_limit') rate.used += 1;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('x-github-request-id', `FAKE:${served.requests.length + 1}`);
  res.setHeader('x-ratelimit-limit', String(rate.limit));
  res.setHeader('x-ratelimit-remaining', String(rate.limit - rate.used));
  res.setHeader('x-ratelimit-used', String(rate.used));
  res.setHeader('x-ratelimit-reset', String(rate.reset));
  res.setHeader('x-ratelimit-resource', 'core');
  const authorization = req.headers.authorization;
  if (options.token && authorization !== `token ${options.token}` && authorization !== `Bearer ${options.token}`) {
    send(401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    return false;
  }
  if (exhausted) {
    send(403, { message: `API rate limit exceeded for installation ID 1.`, documentation_url: DOCS, status: '403' });
    return false;
  }
  return true;
}

/** Answers one request: credentials, the rate limit, injected faults, then the route. */
function handle(served: Served, req: IncomingMessage, res: ServerResponse, rawBody: string): void {
  const { shapes } = served.context;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // GitHub serves /repositories/{id}/… as /repos/{owner}/{repo}/… (its Link headers use it).
  if (url.pathname.startsWith(`/repositories/${REPO_ID}/`))
    url.pathname = shapes.where.repoPath + url.pathname.slice(`/repositories/${REPO_ID}`.length);
  const method = req.method ?? 'GET';
  const pathname = decodeURIComponent(url.pathname);
  const log = (status: number) => served.requests.push({ method, path: pathname, status });
  served.fake.beforeRequest?.(method, pathname);
  // The blob storage an artifact's download redirects to is not the API: like GitHub's, it
  // ignores the Authorization header (a client may send it along a same-origin redirect), counts
  // against no rate limit and sends none of the API's headers. Faults still apply to it.
  const storage = pathname.startsWith(STORAGE_PREFIX);
  const send = sender(served, req, res, rawBody, log, storage);
  if (!storage && !admitted(served, req, res, pathname, send)) return;
  const fault = takeFault(served.faults, method, url);
  const answerFault = () => {
    if (fault!.dropConnection) {
      log(0);
      req.socket.destroy();
      return;
    }
    for (const [name, value] of Object.entries(fault!.headers ?? {})) res.setHeader(name, value);
    send(fault!.status, fault!.body ?? { message: `Injected ${fault!.status}`, documentation_url: DOCS }, true);
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
  dispatch(served, { method, url, body, res }, send, fault ? answerFault : undefined);
}

/** The handle a test drives the fake with. */
function fakeHandle(served: Served, baseUrl: string, close: () => Promise<void>): FakeGitHub {
  const { repository } = served.context;
  const { branch } = repository;
  return {
    baseUrl,
    requests: served.requests,
    exchanges: served.exchanges,
    routes: served.routes.map(([method, pattern]) => ({ method, pattern })),
    issues: () => [...repository.issues.values()].sort((a, b) => a.number - b.number),
    issue: (n) => repository.mustIssue(n),
    addIssue: (input) => repository.addIssue(input),
    editIssue: (n, body) => {
      const issue = repository.mustIssue(n);
      issue.body = body;
      issue.updated_at = repository.tick();
    },
    setIssueState: (n, state) => {
      const issue = repository.mustIssue(n);
      issue.state = state;
      issue.state_reason = state === 'open' ? 'reopened' : 'completed';
      issue.updated_at = repository.tick();
    },
    addComment: (n, user, body) => {
      const issue = repository.mustIssue(n);
      const at = repository.tick();
      issue.comments.push({ id: repository.nextComment++, body, user: { ...user }, created_at: at, updated_at: at });
      issue.updated_at = at;
    },
    protectBranch: (protect, message = `Protected branch update failed for refs/heads/${branch}.`) => {
      repository.protection = protect ? message : undefined;
    },
    files: () => repository.filesAt(repository.head()),
    commits: () => repository.history(),
    headSha: () => repository.head(),
    pushCommit: (files, message) => repository.pushCommit(files, message),
    inject: (fault) => served.faults.push({ ...fault, remaining: fault.times ?? 1 }),
    clearFaults: () => served.faults.splice(0, served.faults.length),
    labels: () => [...repository.labels.keys()],
    workflowRuns: repository.workflowRuns,
    artifacts: repository.artifacts,
    addWorkflowRun: (run) => repository.addWorkflowRun(run),
    updateWorkflowRun: (id, changes) => repository.updateWorkflowRun(id, changes),
    addArtifact: (artifact) => repository.addArtifact(artifact),
    close,
  };
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const { owner, repo } = options;
  const branch = options.branch ?? 'main';
  const rate = { limit: options.rateLimit ?? 1000, used: 0, reset: Math.floor(Date.now() / 1000) + 3600 };
  const repository = new FakeRepository(branch, options.files ?? {}, options.issues ?? [], options.gitDir);
  const repoPath = `/repos/${owner}/${repo}`;
  const where = { baseUrl: '', owner, repo, branch, repoPath, perPageMax: options.perPageMax ?? 100 };
  const served: Served = {
    options,
    context: { repository, shapes: new Shapes(repository, where), rate },
    routes: [...issueRoutes(repoPath), ...gitRoutes(repoPath), ...actionsRoutes(repoPath)],
    faults: [],
    requests: [],
    exchanges: [],
    fake: {},
  };

  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const respond = () => handle(served, req, res, Buffer.concat(chunks).toString('utf8'));
      if (options.latencyMs) setTimeout(respond, options.latencyMs);
      else respond();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  where.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fake = fakeHandle(served, where.baseUrl, async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  served.fake = fake;
  return fake;
}
