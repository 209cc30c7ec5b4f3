/**
 * Local stand-ins for the Actions services a workflow run talks to besides the REST API and git,
 * on one 127.0.0.1 server:
 *
 * - the cache service v2 that actions/cache (and @actions/cache) speak (./cache-service.ts);
 * - an artifact store the upload-artifact stand-in hands its file to;
 * - Pages: what configure-pages answers, and the deployments deploy-pages makes.
 *
 * Who is asking comes from the bearer token (ACTIONS_RUNTIME_TOKEN), minted per job by
 * `runtimeToken`, as GitHub's tokens carry the run's scopes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  CACHE_PREFIX,
  handleCacheBlob,
  handleCacheRpc,
  sendJson,
  type CacheEntry,
  type CacheStore,
  type RunScope,
} from './cache-service.ts';

export { findCacheEntry, restoreScopes, type CacheEntry, type RunScope } from './cache-service.ts';

/** One deployment made by deploy-pages: the artifact it published. */
export interface PagesDeployment {
  runId: number;
  job: string;
  ref: string;
  artifactName: string;
  /** The artifact as uploaded: upload-pages-artifact's tarball. */
  artifact: Buffer;
  pageUrl: string;
}

/** The running services. */
export interface ActionsServices {
  /** ACTIONS_RESULTS_URL: ends with a slash, as on GitHub. */
  resultsUrl: string;
  /** Where the stand-ins for configure-pages, upload-artifact and deploy-pages go. */
  baseUrl: string;
  /** What configure-pages answers: the site's origin and base path. */
  pages: { origin: string; basePath: string };
  cacheEntries: CacheEntry[];
  deployments: PagesDeployment[];
  /** Artifacts uploaded, by run id and name ("<run id>/<name>"). */
  artifacts: Map<string, Buffer>;
  /** The name of the one file each artifact holds (what upload-artifact puts in its zip), by the same key. */
  artifactFiles: Map<string, string>;
  /** Mints a token for one job of one run; requests carrying it act in that scope. */
  runtimeToken(scope: RunScope): string;
  close(): Promise<void>;
}

/** What the server keeps between requests. */
interface ServicesState {
  tokens: Map<string, RunScope>;
  store: CacheStore;
  deployments: PagesDeployment[];
  artifacts: Map<string, Buffer>;
  artifactFiles: Map<string, string>;
  pages: { origin: string; basePath: string };
}

/** One request: the signed blob URL, or a call carrying a runtime token (cache, artifacts, Pages). */
function handle(state: ServicesState, req: IncomingMessage, res: ServerResponse, body: Buffer): unknown {
  const { store, artifacts, artifactFiles, pages, deployments } = state;
  const url = new URL(req.url ?? '/', store.baseUrl);
  const method = req.method ?? 'GET';
  // The signed blob URL is its own credential, as an Azure SAS URL is.
  const blob = /^\/blob\/devstoreaccount1\/cache\/(\d+)$/.exec(url.pathname);
  if (blob) return handleCacheBlob(store, { method, url, req, body, id: Number(blob[1]) }, res);
  const scope = state.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
  if (!scope) return sendJson(res, 401, { code: 'unauthenticated', msg: 'no valid runtime token' });
  if (method === 'POST' && url.pathname.startsWith(CACHE_PREFIX))
    return handleCacheRpc(store, scope, url.pathname.slice(CACHE_PREFIX.length), body, res);
  const artifact = /^\/artifacts\/([^/]+)$/.exec(url.pathname);
  if (artifact && method === 'PUT') {
    const key = `${scope.runId}/${decodeURIComponent(artifact[1]!)}`;
    artifacts.set(key, body);
    artifactFiles.set(key, url.searchParams.get('file') || 'artifact');
    return sendJson(res, 201, { id: artifacts.size, size: body.length });
  }
  if (url.pathname === '/pages/configure' && method === 'GET')
    return sendJson(res, 200, { origin: pages.origin, base_path: pages.basePath });
  if (url.pathname === '/pages/deploy' && method === 'POST') {
    const { artifact_name: artifactName } = JSON.parse(body.toString('utf8')) as { artifact_name: string };
    const stored = artifacts.get(`${scope.runId}/${artifactName}`);
    if (!stored) return sendJson(res, 404, { message: `no artifact ${artifactName} in run ${scope.runId}` });
    const pageUrl = `${pages.origin}${pages.basePath}/`;
    deployments.push({ runId: scope.runId, job: scope.job, ref: scope.ref, artifactName, artifact: stored, pageUrl });
    return sendJson(res, 200, { status: 'succeed', page_url: pageUrl });
  }
  return sendJson(res, 404, { message: 'Not Found' });
}

/** Starts the services on 127.0.0.1 with a free port. */
export async function startActionsServices(
  options: { pagesOrigin?: string; basePath?: string } = {},
): Promise<ActionsServices> {
  const state: ServicesState = {
    tokens: new Map(),
    store: { entries: [] as CacheEntry[], nextId: 1, clock: 0, baseUrl: '' },
    deployments: [],
    artifacts: new Map(),
    artifactFiles: new Map(),
    pages: {
      origin: options.pagesOrigin ?? 'https://leopards.github.io',
      basePath: options.basePath ?? '/petition',
    },
  };
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        handle(state, req, res, Buffer.concat(chunks));
      } catch (error) {
        res.statusCode = 500;
        res.end(JSON.stringify({ code: 'internal', msg: (error as Error).message }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.store.baseUrl = baseUrl;
  return {
    resultsUrl: `${baseUrl}/`,
    baseUrl,
    pages: state.pages,
    cacheEntries: state.store.entries,
    deployments: state.deployments,
    artifacts: state.artifacts,
    artifactFiles: state.artifactFiles,
    runtimeToken: (scope) => {
      const token = `runtime-${randomBytes(12).toString('hex')}`;
      state.tokens.set(token, scope);
      return token;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
