/**
 * How many signatures wait to be counted: the open issues with the signature label, asked of
 * the GitHub API by the Pages build, so a reader who has just signed sees that theirs is on its
 * way. One request: the issues list with one issue a page, whose last page number (the Link
 * header's rel="last") is the count. Optional in every way: without a token, or when the API
 * fails, is slow or answers something that is not a count, there is no number and the build goes on.
 */
import { FORM_LABELS } from '../core/issue-templates.ts';

export interface WaitingOptions {
  /** "owner/name". */
  repository: string;
  /** A token that may read the repository's issues (the Pages job's, with `issues: read`). */
  token: string | undefined;
  /** The API's base URL (GITHUB_API_URL in Actions; the fake GitHub's in tests). */
  apiUrl?: string | undefined;
  /** The fetch to use (the platform's by default). */
  fetch?: typeof fetch;
  /** How long to wait for the answer. */
  timeoutMs?: number;
}

/** Links of GitHub's Link header are short; a longer header is not GitHub's. */
const LINK_HEADER_MAX = 2048;
const REPOSITORY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

/**
 * The count of open signature issues, or undefined (with `note` told why) when there is none to
 * give: no token, a malformed repository, an error, a timeout, or an answer that is not a count.
 */
export async function countWaitingSignatures(
  options: WaitingOptions,
  note: (message: string) => void = () => {},
): Promise<number | undefined> {
  const { repository, token, apiUrl = 'https://api.github.com', timeoutMs = 10_000 } = options;
  if (!token) return undefined;
  if (!REPOSITORY_PATTERN.test(repository)) {
    note('Signatures waiting to be counted: not asked (the repository is not "owner/name").');
    return undefined;
  }
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}/repos/${repository}/issues`);
  url.search = new URLSearchParams({ state: 'open', labels: FORM_LABELS.sign, per_page: '1' }).toString();
  try {
    const response = await (options.fetch ?? fetch)(url, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      note(`Signatures waiting to be counted: left out (the API answered ${response.status}).`);
      return undefined;
    }
    const count = waitingCount(await response.json(), response.headers.get('link'));
    if (count === undefined) note('Signatures waiting to be counted: left out (the answer held no count).');
    return count;
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? 'no answer in time' : 'the request failed';
    note(`Signatures waiting to be counted: left out (${reason}).`);
    return undefined;
  }
}

/**
 * The count from one page of one issue: the last page's number when there are more pages,
 * otherwise the page's own length (0 or 1). Anything else (not a list, a page number that is not
 * a whole number, an oversized header) is no count. Pure.
 */
export function waitingCount(body: unknown, link: string | null): number | undefined {
  if (!Array.isArray(body) || body.length > 1) return undefined;
  if (link === null || link === '') return body.length;
  if (link.length > LINK_HEADER_MAX) return undefined;
  for (const part of link.split(',')) {
    const match = /^\s*<([^<>\s]*)>\s*;\s*rel="last"\s*$/.exec(part);
    if (!match) continue;
    const page = URL.canParse(match[1]!) ? new URL(match[1]!).searchParams.get('page') : null;
    if (page === null || !/^\d{1,9}$/.test(page)) return undefined;
    return Number(page);
  }
  // A Link header without "last" (prev and first only) would mean a later page than asked for;
  // one that names "last" unreadably is not GitHub's. Neither gives a count.
  return /rel="(?:last|prev)"/.test(link) ? undefined : body.length;
}
