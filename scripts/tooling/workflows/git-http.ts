/**
 * A git smart-HTTP server on 127.0.0.1: node's http server in front of `git http-backend` (the
 * CGI program git ships), so `git clone/fetch` (and actions/checkout, which shells out to git)
 * talk to a local bare repository exactly as they talk to github.com. The served repositories
 * allow partial-clone filters and fetching any commit by id, as github.com does, so blobless,
 * sparse and depth-1 checkouts behave the same.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A running git smart-HTTP server. */
export interface GitHttpServer {
  /** `http://github.localhost:<port>`: curl resolves any *.localhost to 127.0.0.1, and
   * @actions/cache treats a *.localhost server as github.com (not GHES, which has no cache v2). */
  serverUrl: string;
  /** Requests served: method, path and query, for tests that check what a client fetched. */
  requests: Array<{ method: string; path: string; query: string }>;
  close(): Promise<void>;
}

/** Lets a bare repository answer blobless and by-id fetches as github.com does. */
export function allowGitHubStyleFetches(gitDir: string): void {
  for (const [key, value] of [
    ['uploadpack.allowFilter', 'true'],
    ['uploadpack.allowAnySHA1InWant', 'true'],
    ['http.uploadpack', 'true'],
  ]) {
    const result = spawnSync('git', ['--git-dir', gitDir, 'config', key!, value!]);
    if (result.status !== 0) throw new Error(`git config ${key} failed: ${result.stderr.toString('utf8')}`);
  }
}

/** Reads a CGI response's header block: the Status header as the HTTP status, the rest as headers. */
export function parseCgiHeaders(head: string): { status: number; headers: Array<[string, string]> } {
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else headers.push([name, value]);
  }
  return { status, headers };
}

/**
 * CGI: the request travels in the environment; Authorization is accepted and ignored (the fake
 * API checks tokens; this server, like a public repository, serves anyone).
 */
function cgiEnvironment(req: IncomingMessage, url: URL, pathInfo: string, projectRoot: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: 'x-access-token',
  };
}

/** Sends git http-backend's CGI answer on: its header block as status and headers, then the body. */
function relayCgiResponse(child: ChildProcessWithoutNullStreams, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headerDone = false;
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdout.on('data', (chunk: Buffer) => {
    if (headerDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let end = head.indexOf('\r\n\r\n');
    let gap = 4;
    if (end < 0) {
      end = head.indexOf('\n\n');
      gap = 2;
    }
    if (end < 0) return;
    headerDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end).toString('latin1'));
    res.statusCode = status;
    for (const [name, value] of headers) res.setHeader(name, value);
    res.write(head.subarray(end + gap));
  });
  child.once('close', (code) => {
    if (!headerDone) {
      res.statusCode = 500;
      res.end(Buffer.concat(stderr));
    } else res.end();
    if (code !== 0 && !headerDone) process.stderr.write(Buffer.concat(stderr));
  });
}

/**
 * Serves every bare repository under `projectRoot` (a repository `owner/name` lives at
 * `<projectRoot>/owner/name`; a `.git` suffix in the URL is accepted) on 127.0.0.1.
 */
export async function startGitHttpServer(projectRoot: string): Promise<GitHttpServer> {
  const requests: GitHttpServer['requests'] = [];
  const sockets = new Set<Socket>();
  const children = new Set<ReturnType<typeof spawn>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.search });
    const pathInfo = decodeURIComponent(url.pathname).replace(/^(\/[^/]+\/[^/]+)\.git(?=\/)/, '$1');
    if (pathInfo.split('/').includes('..')) {
      res.statusCode = 400;
      res.end();
      return;
    }
    const child = spawn('git', ['http-backend'], {
      env: cgiEnvironment(req, url, pathInfo, projectRoot),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    child.once('close', () => children.delete(child));
    req.pipe(child.stdin);
    child.stdin.on('error', () => undefined);
    relayCgiResponse(child, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    serverUrl: `http://github.localhost:${port}`,
    requests,
    close: async () => {
      for (const child of children) child.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
