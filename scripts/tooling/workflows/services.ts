/**
 * Local stand-ins for the Actions services a workflow run talks to besides the REST API and git,
 * on one 127.0.0.1 server:
 *
 * - the cache service v2 that actions/cache (and @actions/cache) speak: Twirp JSON POSTs under
 *   `/twirp/github.actions.results.api.v1.CacheService/`, archives uploaded to and downloaded from
 *   a signed URL with Azure Blob requests (a single PUT, or PUT comp=block then comp=blocklist);
 *   entries scoped as on GitHub and immutable;
 * - an artifact store the upload-artifact stand-in hands its file to;
 * - Pages: what configure-pages answers, and the deployments deploy-pages makes.
 *
 * Who is asking comes from the bearer token (ACTIONS_RUNTIME_TOKEN), minted per job by
 * `runtimeToken`, as GitHub's tokens carry the run's scopes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Who a runtime token was minted for. */
export interface RunScope {
  runId: number;
  job: string;
  /** The run's ref (refs/heads/main, refs/pull/7/merge): its cache scope. */
  ref: string;
  /** A pull request's base branch ref, searched after `ref`. */
  baseRef?: string;
  /** The default branch's ref, searched last. */
  defaultRef: string;
}

/** One cache entry, with who saved it (for tests to inspect). */
export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  scope: string;
  savedBy: { runId: number; job: string; ref: string };
  createdAt: number;
  finalized: boolean;
  size: number;
  data: Buffer;
  blocks: Map<string, Buffer>;
}

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
  /** Artifacts uploaded, by run id and name. */
  artifacts: Map<string, Buffer>;
  /** Mints a token for one job of one run; requests carrying it act in that scope. */
  runtimeToken(scope: RunScope): string;
  close(): Promise<void>;
}

const CACHE_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

/**
 * Finds the entry a restore gets, as GitHub does: in the run's own ref scope, then the pull
 * request's base, then the default branch; in each, the exact key first, then keys that start
 * with the key or a restore key, newest first. Only finalized entries of the same version count.
 */
export function findCacheEntry(
  entries: readonly CacheEntry[],
  scopes: readonly string[],
  key: string,
  restoreKeys: readonly string[],
  version: string,
): CacheEntry | undefined {
  for (const scope of scopes) {
    const candidates = entries
      .filter((entry) => entry.finalized && entry.scope === scope && entry.version === version)
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
    const exact = candidates.find((entry) => entry.key === key);
    if (exact) return exact;
    for (const prefix of [key, ...restoreKeys]) {
      const match = candidates.find((entry) => entry.key.startsWith(prefix));
      if (match) return match;
    }
  }
  return undefined;
}

/** The scopes a run restores from, in order, without repeats. */
export function restoreScopes(scope: RunScope): string[] {
  return [...new Set([scope.ref, scope.baseRef, scope.defaultRef].filter((ref): ref is string => !!ref))];
}

/** Starts the services on 127.0.0.1 with a free port. */
export async function startActionsServices(
  options: { pagesOrigin?: string; basePath?: string } = {},
): Promise<ActionsServices> {
  const tokens = new Map<string, RunScope>();
  const cacheEntries: CacheEntry[] = [];
  const deployments: PagesDeployment[] = [];
  const artifacts = new Map<string, Buffer>();
  let nextId = 1;
  let clock = 0;
  const sockets = new Set<Socket>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks));
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

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const twirpError = (res: ServerResponse, status: number, code: string, msg: string) =>
    json(res, status, { code, msg });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer) {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    // The signed blob URL is its own credential, as an Azure SAS URL is.
    const blob = /^\/blob\/devstoreaccount1\/cache\/(\d+)$/.exec(url.pathname);
    if (blob) return handleBlob(method, url, req, res, body, Number(blob[1]));
    const scope = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    if (!scope) return twirpError(res, 401, 'unauthenticated', 'no valid runtime token');

    if (method === 'POST' && url.pathname.startsWith(CACHE_PREFIX)) {
      const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
      const rpc = url.pathname.slice(CACHE_PREFIX.length);
      const key = String(request.key ?? '');
      const version = String(request.version ?? '');
      if (rpc === 'CreateCacheEntry') {
        // Entries are immutable: a key already saved (or being saved) in this scope stays.
        if (cacheEntries.some((entry) => entry.scope === scope.ref && entry.key === key && entry.version === version))
          return twirpError(
            res,
            409,
            'already_exists',
            'cache entry with the same key, version, and scope already exists',
          );
        const entry: CacheEntry = {
          id: nextId++,
          key,
          version,
          scope: scope.ref,
          savedBy: { runId: scope.runId, job: scope.job, ref: scope.ref },
          createdAt: (clock += 1),
          finalized: false,
          size: 0,
          data: Buffer.alloc(0),
          blocks: new Map(),
        };
        cacheEntries.push(entry);
        return json(res, 200, {
          ok: true,
          signed_upload_url: `${baseUrl}/blob/devstoreaccount1/cache/${entry.id}?sig=${randomBytes(8).toString('hex')}`,
        });
      }
      if (rpc === 'FinalizeCacheEntryUpload') {
        const entry = cacheEntries.find(
          (candidate) =>
            candidate.scope === scope.ref &&
            candidate.key === key &&
            candidate.version === version &&
            !candidate.finalized,
        );
        if (!entry) return twirpError(res, 404, 'not_found', 'no cache entry is being uploaded under this key');
        entry.finalized = true;
        entry.size = entry.data.length;
        return json(res, 200, { ok: true, entry_id: String(entry.id) });
      }
      if (rpc === 'GetCacheEntryDownloadURL') {
        const restoreKeys = Array.isArray(request.restore_keys) ? request.restore_keys.map(String) : [];
        const entry = findCacheEntry(cacheEntries, restoreScopes(scope), key, restoreKeys, version);
        if (!entry) return json(res, 200, { ok: false, signed_download_url: '', matched_key: '' });
        return json(res, 200, {
          ok: true,
          signed_download_url: `${baseUrl}/blob/devstoreaccount1/cache/${entry.id}?sig=read`,
          matched_key: entry.key,
        });
      }
      return twirpError(res, 404, 'bad_route', `no handler for ${rpc}`);
    }

    const artifact = /^\/artifacts\/([^/]+)$/.exec(url.pathname);
    if (artifact && method === 'PUT') {
      artifacts.set(`${scope.runId}/${decodeURIComponent(artifact[1]!)}`, body);
      return json(res, 201, { id: artifacts.size, size: body.length });
    }
    if (url.pathname === '/pages/configure' && method === 'GET')
      return json(res, 200, { origin: pages.origin, base_path: pages.basePath });
    if (url.pathname === '/pages/deploy' && method === 'POST') {
      const { artifact_name: artifactName } = JSON.parse(body.toString('utf8')) as { artifact_name: string };
      const stored = artifacts.get(`${scope.runId}/${artifactName}`);
      if (!stored) return json(res, 404, { message: `no artifact ${artifactName} in run ${scope.runId}` });
      const pageUrl = `${pages.origin}${pages.basePath}/`;
      deployments.push({ runId: scope.runId, job: scope.job, ref: scope.ref, artifactName, artifact: stored, pageUrl });
      return json(res, 200, { status: 'succeed', page_url: pageUrl });
    }
    return json(res, 404, { message: 'Not Found' });
  }

  function handleBlob(method: string, url: URL, req: IncomingMessage, res: ServerResponse, body: Buffer, id: number) {
    const entry = cacheEntries.find((candidate) => candidate.id === id);
    if (!entry) {
      res.statusCode = 404;
      return res.end();
    }
    const azureHeaders = () => {
      res.setHeader('etag', `"0x${entry.id.toString(16)}"`);
      res.setHeader('last-modified', new Date().toUTCString());
      res.setHeader('x-ms-request-id', randomBytes(8).toString('hex'));
      res.setHeader('x-ms-version', '2024-11-04');
      res.setHeader('x-ms-request-server-encrypted', 'true');
    };
    if (method === 'PUT') {
      if (entry.finalized) {
        res.statusCode = 409;
        return res.end();
      }
      const comp = url.searchParams.get('comp');
      if (comp === 'block') entry.blocks.set(url.searchParams.get('blockid') ?? '', body);
      else if (comp === 'blocklist') {
        const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
          (m) => m[1]!,
        );
        entry.data = Buffer.concat(ids.map((blockId) => entry.blocks.get(blockId) ?? Buffer.alloc(0)));
        entry.blocks.clear();
      } else entry.data = body;
      azureHeaders();
      res.statusCode = 201;
      return res.end();
    }
    if (method === 'GET' || method === 'HEAD') {
      if (!entry.finalized) {
        res.statusCode = 404;
        return res.end();
      }
      azureHeaders();
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? req.headers['x-ms-range'] ?? ''));
      let data = entry.data;
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Number(range[2]) : data.length - 1;
        data = data.subarray(start, end + 1);
        res.statusCode = 206;
        res.setHeader('content-range', `bytes ${start}-${start + data.length - 1}/${entry.data.length}`);
      } else res.statusCode = 200;
      res.setHeader('content-type', 'application/octet-stream');
      res.setHeader('content-length', String(data.length));
      return res.end(method === 'HEAD' ? undefined : data);
    }
    res.statusCode = 405;
    return res.end();
  }

  const pages = {
    origin: options.pagesOrigin ?? 'https://leopards.github.io',
    basePath: options.basePath ?? '/petition',
  };
  return {
    resultsUrl: `${baseUrl}/`,
    baseUrl,
    pages,
    cacheEntries,
    deployments,
    artifacts,
    runtimeToken: (scope) => {
      const token = `runtime-${randomBytes(12).toString('hex')}`;
      tokens.set(token, scope);
      return token;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
