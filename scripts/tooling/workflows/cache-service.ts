/**
 * The cache service v2 that actions/cache (and @actions/cache) speak, for ./services.ts: Twirp
 * JSON POSTs under `/twirp/github.actions.results.api.v1.CacheService/`, archives uploaded to and
 * downloaded from a signed URL with Azure Blob requests (a single PUT, or PUT comp=block then
 * comp=blocklist); entries scoped as on GitHub and immutable.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** The entries saved so far and what new ones are numbered with. */
export interface CacheStore {
  entries: CacheEntry[];
  nextId: number;
  clock: number;
  /** Where signed blob URLs point. */
  baseUrl: string;
}

export const CACHE_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

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

/** Answers a JSON body with a status. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

const twirpError = (res: ServerResponse, status: number, code: string, msg: string) =>
  sendJson(res, status, { code, msg });

/** One Twirp call of the cache service (`rpc` is the method name) in the caller's scope. */
export function handleCacheRpc(
  store: CacheStore,
  scope: RunScope,
  rpc: string,
  body: Buffer,
  res: ServerResponse,
): void {
  const request = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  const key = String(request.key ?? '');
  const version = String(request.version ?? '');
  if (rpc === 'CreateCacheEntry') {
    // Entries are immutable: a key already saved (or being saved) in this scope stays.
    if (store.entries.some((entry) => entry.scope === scope.ref && entry.key === key && entry.version === version))
      return twirpError(res, 409, 'already_exists', 'cache entry with the same key, version, and scope already exists');
    const entry: CacheEntry = {
      id: store.nextId++,
      key,
      version,
      scope: scope.ref,
      savedBy: { runId: scope.runId, job: scope.job, ref: scope.ref },
      createdAt: (store.clock += 1),
      finalized: false,
      size: 0,
      data: Buffer.alloc(0),
      blocks: new Map(),
    };
    store.entries.push(entry);
    return sendJson(res, 200, {
      ok: true,
      signed_upload_url: `${store.baseUrl}/blob/devstoreaccount1/cache/${entry.id}?sig=${randomBytes(8).toString('hex')}`,
    });
  }
  if (rpc === 'FinalizeCacheEntryUpload') {
    const entry = store.entries.find(
      (candidate) =>
        candidate.scope === scope.ref && candidate.key === key && candidate.version === version && !candidate.finalized,
    );
    if (!entry) return twirpError(res, 404, 'not_found', 'no cache entry is being uploaded under this key');
    entry.finalized = true;
    entry.size = entry.data.length;
    return sendJson(res, 200, { ok: true, entry_id: String(entry.id) });
  }
  if (rpc === 'GetCacheEntryDownloadURL') {
    const restoreKeys = Array.isArray(request.restore_keys) ? request.restore_keys.map(String) : [];
    const entry = findCacheEntry(store.entries, restoreScopes(scope), key, restoreKeys, version);
    if (!entry) return sendJson(res, 200, { ok: false, signed_download_url: '', matched_key: '' });
    return sendJson(res, 200, {
      ok: true,
      signed_download_url: `${store.baseUrl}/blob/devstoreaccount1/cache/${entry.id}?sig=read`,
      matched_key: entry.key,
    });
  }
  return twirpError(res, 404, 'bad_route', `no handler for ${rpc}`);
}

/** The signed blob URL: Azure Blob PUT (single, or block + blocklist), GET and HEAD with ranges. */
export function handleCacheBlob(
  store: CacheStore,
  request: { method: string; url: URL; req: IncomingMessage; body: Buffer; id: number },
  res: ServerResponse,
): unknown {
  const { method, url, req, body, id } = request;
  const entry = store.entries.find((candidate) => candidate.id === id);
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
