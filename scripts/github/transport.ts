/**
 * How the processor's Octokit sends a request: `fetch` as Octokit calls it, on undici's
 * `request` API over one keep-alive connection pool, with the answer read whole.
 *
 * Why not Node's global fetch: the WHATWG streams fetch builds around every request and answer
 * cost about 1 ms of CPU a request here, against about 0.2 ms for undici's `request` on the same
 * connections (measured against the fake GitHub, `npm run bench`); a sweep of 1,000 issues makes
 * 2,000 requests. What Octokit reads of the answer (status, headers, text) is the same.
 */
import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'undici';

/** What Octokit passes to fetch (@octokit/request's fetch wrapper). */
interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array | null;
  redirect?: 'follow' | 'error' | 'manual';
  signal?: AbortSignal | null;
}

/**
 * An answer read whole: the part of the Fetch API's Response that Octokit uses (status, url,
 * headers, text, arrayBuffer, json).
 */
export class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: Headers;
  readonly redirected = false;
  private readonly bytes: Buffer;

  constructor(url: string, status: number, headers: Headers, bytes: Buffer) {
    this.url = url;
    this.status = status;
    this.statusText = STATUS_CODES[status] ?? '';
    this.headers = headers;
    this.bytes = bytes;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    // As fetch's text(): UTF-8, a byte order mark dropped.
    const text = this.bytes.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.bytes).buffer;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  /**
   * The bytes, where the Fetch API has a stream: what Octokit hands on as `data` when told not to
   * parse a successful answer (`parseSuccessResponseBody: false`); {@link decodeBody} reads them.
   */
  get body(): Buffer {
    return this.bytes;
  }
}

/**
 * A successful answer's data as Octokit would read it (JSON, else text, else bytes), but with
 * JSON.parse: Octokit parses with json-with-bigint, which on Node 20 runs a regular expression
 * over the whole text and a reviver over every value (a quarter of a millisecond for one issue)
 * to keep integers above 2^53 exact. GitHub's numbers (ids, counts) are far below that.
 */
export function decodeBody(contentType: string | undefined, bytes: Buffer): unknown {
  if (!contentType) return bytes.toString('utf8');
  const [mime = '', ...parameters] = contentType.toLowerCase().split(';');
  const type = mime.trim();
  const text = () => {
    const decoded = bytes.toString('utf8');
    return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  };
  if (type === 'application/json' || type === 'application/scim+json') {
    const decoded = text();
    try {
      return JSON.parse(decoded) as unknown;
    } catch {
      return decoded; // as Octokit does with JSON it cannot read
    }
  }
  const utf8 = parameters.some((parameter) => parameter.trim().replace(/"/g, '') === 'charset=utf-8');
  if (type.startsWith('text/') || (utf8 && type !== 'application/octet-stream')) return text();
  return new Uint8Array(bytes).buffer;
}

export interface TransportOptions {
  /** Called with every request sent, redirects aside: a run counts what it spent. */
  onRequest?: (method: string, url: string) => void;
}

/**
 * A fetch for Octokit's `request.fetch` option. Redirects are followed as fetch follows them
 * (up to 20, the Authorization header dropped when the origin changes) unless Octokit asks for
 * "manual" or "error"; a connection error rejects, which Octokit turns into a 500 that the
 * client's retries see. `close` ends the keep-alive connections (a process that ends need not).
 */
export function undiciFetch(options: TransportOptions = {}) {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const fetchLike = async (input: string | URL, init: FetchInit = {}): Promise<BufferedResponse> => {
    const url = String(input);
    const method = init.method ?? 'GET';
    options.onRequest?.(method, url);
    if (
      init.body !== undefined &&
      init.body !== null &&
      typeof init.body !== 'string' &&
      !(init.body instanceof Uint8Array)
    )
      throw new TypeError('The processor sends only text or bytes as a request body.');
    const answer = await request(url, {
      method: method as 'GET',
      headers: init.headers,
      body: init.body ?? undefined,
      signal: init.signal ?? undefined,
      dispatcher: agent,
      maxRedirections: init.redirect === 'manual' || init.redirect === 'error' ? 0 : 20,
    });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    if (init.redirect === 'error' && answer.statusCode >= 300 && answer.statusCode < 400)
      throw new TypeError(`${method} ${url} was redirected (${answer.statusCode}).`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    return new BufferedResponse(url, answer.statusCode, headers, bytes);
  };
  return Object.assign(fetchLike, { close: () => agent.close() });
}
