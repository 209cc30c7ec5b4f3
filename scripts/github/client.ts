/**
 * The Octokit client for the processor: GitHub's advice on rate limits is implemented by the
 * throttling plugin (pacing writes, waiting out retry-after and x-ratelimit-reset) and the
 * retry plugin (retrying 5xx and dropped connections, never 4xx like 422).
 */
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';

export const ProcessorOctokit = Octokit.plugin(throttling, retry);
export type ProcessorOctokit = InstanceType<typeof ProcessorOctokit>;

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
}

/** Creates the client; every request passes `onRequest` so a run can report what it spent. */
export function createClient(options: ClientOptions): ProcessorOctokit {
  const log = options.log ?? (() => {});
  const retries = options.rateLimitRetries ?? 4;
  const unit = options.retryTimeUnitMs ?? 1000;
  // Both limits are waited out the same way, up to `retries` times, saying so in the log.
  const waitAndRetry =
    (what: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      log(
        `${what} on ${request.method} ${request.url}; waiting ${retryAfter}s (retry ${retryCount + 1} of ${retries}).`,
      );
      return retryCount < retries;
    };
  const octokit = new ProcessorOctokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    userAgent: 'petition-as-code-processor',
    log: { debug: () => {}, info: () => {}, warn: log, error: log },
    throttle: {
      // GitHub asks for at least a second between content-creating requests (80 a minute at
      // most); the plugin's default for requests that notify people (comments) is a cautious 3 s.
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs ?? 1000 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs ?? 1000 }),
      retryAfterBaseValue: unit,
      fallbackSecondaryRateRetryAfter: 60,
      onRateLimit: waitAndRetry('Rate limit reached'),
      onSecondaryRateLimit: waitAndRetry('Secondary rate limit'),
    },
    retry: { retries: 3, retryAfterBaseValue: unit / 10 },
    // Counting at the fetch level sees every HTTP request, retries included.
    request: {
      fetch: (url: string | URL, init?: RequestInit) => {
        options.onRequest?.(init?.method ?? 'GET', String(url));
        return fetch(url, init);
      },
    },
  });
  return octokit;
}
