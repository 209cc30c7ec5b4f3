/**
 * The Octokit client for the processor, with GitHub's advice on rate limits and errors
 * (docs.github.com, "Best practices for using the REST API") in one request hook:
 *
 * - content-creating requests (every method but GET and HEAD) start at least `writeIntervalMs`
 *   apart: GitHub allows 80 a minute, and asks for a second between them;
 * - a 403 or 429 that is a rate limit is waited out and retried, up to `rateLimitRetries` times:
 *   `retry-after` seconds when GitHub sends it, else until `x-ratelimit-reset` when
 *   `x-ratelimit-remaining` is 0, else (a secondary limit without headers) a minute. GitHub did
 *   not act on a rate-limited request, so even a comment is safely sent again;
 * - other failures (5xx, dropped connections, which Octokit reports as 500) are retried up to 3
 *   times (or the request's own `request.retries`), 1, 4 and 9 tenths of `retryTimeUnitMs` apart;
 *   never 400, 401, 403, 404, 410, 422 or 451, which a retry cannot fix.
 *
 * This used to be @octokit/plugin-throttling and @octokit/plugin-retry. They put every request
 * through three or four Bottleneck jobs and a new Bottleneck per request: about 2.5 ms of CPU a
 * request, more than the request itself, against a budget of 2 ms an issue (issue 22). The rules
 * they implement are the few lines below; test/processor/client.test.ts checks each of them
 * against the fake GitHub.
 */
import { Octokit as OctokitCore } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { legacyRestEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { decodeBody, undiciFetch } from './transport.ts';

/**
 * @octokit/rest's Octokit without its request-log plugin, which parsed every request's URL
 * template a second time only to log it; failures worth a line are logged by the hook below.
 */
const Octokit = OctokitCore.plugin(legacyRestEndpointMethods, paginateRest);
export type ProcessorOctokit = InstanceType<typeof Octokit>;

export interface ClientOptions {
  token?: string;
  baseUrl: string;
  /** Milliseconds between content-creating requests: GitHub allows 80 a minute, so 1,000 in production. */
  writeIntervalMs?: number;
  /** How many times a rate-limited request is retried before the run gives up on it. */
  rateLimitRetries?: number;
  /** Scales retry-after seconds and retry backoff; 1,000 in production (tests use less). */
  retryTimeUnitMs?: number;
  log?: (message: string) => void;
  /** Counts every HTTP request made, retries included. */
  onRequest?: (method: string, url: string) => void;
  /** Waiting (tests pass their own to see the waits). */
  sleep?: (ms: number) => Promise<void>;
}

/** Failures a retry cannot fix (the retry plugin's list). */
const DO_NOT_RETRY = new Set([400, 401, 403, 404, 410, 422, 451]);
/** Retries of a failed request (5xx, dropped connection) unless the request says otherwise. */
const SERVER_RETRIES = 3;
/** A secondary rate limit without retry-after: GitHub asks to wait at least a minute. */
const SECONDARY_LIMIT_FALLBACK_SECONDS = 60;

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

/**
 * How long a failed request's rate limit asks to wait, in seconds, and which limit it is; undefined
 * when the failure is not a rate limit.
 */
export function rateLimitWait(error: unknown, nowMs: number): { seconds: number; what: string } | undefined {
  const { status, message = '', response } = (error ?? {}) as RequestFailure;
  if (status !== 403 && status !== 429) return undefined;
  const headers = response?.headers ?? {};
  const secondary = /\bsecondary rate\b/i.test(message);
  // GitHub: "If the retry-after response header is present, you should not retry your request
  // until after that many seconds has elapsed" (an older secondary limit's message says "abuse
  // detection" and is recognised by the header alone). A 0 is read as no header.
  const retryAfter = Number(headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter > 0)
    return { seconds: retryAfter, what: secondary ? 'Secondary rate limit' : 'Rate limit reached' };
  if (headers['x-ratelimit-remaining'] === '0') {
    // One second more, so the retry comes after the reset.
    const reset = (Number(headers['x-ratelimit-reset']) || 0) * 1000;
    return { seconds: Math.max(0, Math.ceil((reset - nowMs) / 1000) + 1), what: 'Rate limit reached' };
  }
  if (secondary) return { seconds: SECONDARY_LIMIT_FALLBACK_SECONDS, what: 'Secondary rate limit' };
  return undefined;
}

/** The request hook: paces writes, waits out rate limits, retries what a retry can fix. */
function pacedRequests(options: ClientOptions) {
  const log = options.log ?? (() => {});
  const limitRetries = options.rateLimitRetries ?? 4;
  const unit = options.retryTimeUnitMs ?? 1000;
  const interval = options.writeIntervalMs ?? 1000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Writes take turns: each starts `interval` after the one before started.
  let turns: Promise<void> = Promise.resolve();
  let lastWrite = -Infinity;
  const writeTurn = () =>
    (turns = turns.then(async () => {
      const wait = lastWrite + interval - performance.now();
      if (wait > 0) await sleep(wait);
      lastWrite = performance.now();
    }));

  return async <R extends { method: string; url: string; request?: { [option: string]: unknown } }, T>(
    send: (request: R) => T | Promise<T>,
    request: R,
  ): Promise<T> => {
    const write = request.method !== 'GET' && request.method !== 'HEAD';
    let limited = 0;
    let failed = 0;
    for (;;) {
      if (write && interval > 0) await writeTurn();
      try {
        const response = await send(request);
        const answer = response as { data?: unknown; headers?: Record<string, string | undefined> };
        // Successful answers come unparsed (see createClient): read them here.
        if (Buffer.isBuffer(answer.data)) answer.data = decodeBody(answer.headers?.['content-type'], answer.data);
        return response;
      } catch (error) {
        const limit = rateLimitWait(error, Date.now());
        if (limit) {
          if (limited < limitRetries) {
            limited += 1;
            log(
              `${limit.what} on ${request.method} ${request.url}; waiting ${limit.seconds}s (retry ${limited} of ${limitRetries}).`,
            );
            await sleep(limit.seconds * unit);
            continue;
          }
          log(`${limit.what} on ${request.method} ${request.url}; giving up after ${limitRetries} retries.`);
        }
        const status = (error as RequestFailure).status;
        const own = request.request?.retries;
        const retries = typeof own === 'number' ? own : SERVER_RETRIES;
        if (status === undefined || status < 400 || DO_NOT_RETRY.has(status) || failed >= retries) throw error;
        failed += 1;
        log(`${request.method} ${request.url} failed (${status}); retry ${failed} of ${retries}.`);
        await sleep(failed * failed * (unit / 10));
      }
    }
  };
}

/** Creates the client; every request passes `onRequest` so a run can report what it spent. */
export function createClient(options: ClientOptions): ProcessorOctokit {
  const log = options.log ?? (() => {});
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'petition-as-code-processor',
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    // Octokit's own parsing of successful answers is skipped for a plain JSON.parse (decodeBody).
    request: { fetch: undiciFetch({ onRequest: options.onRequest }), parseSuccessResponseBody: false },
  });
  // Registered last, so it wraps the whole request (authentication, the HTTP exchange), and
  // pagination goes through it page by page.
  const paced = pacedRequests(options);
  octokit.hook.wrap('request', (send, request) =>
    paced<typeof request, Awaited<ReturnType<typeof send>>>(send, request),
  );
  return octokit;
}
