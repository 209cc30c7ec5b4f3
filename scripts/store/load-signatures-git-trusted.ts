/**
 * The store of our own builds' records (PETITION_TRUSTED_RECORDS): each signature file's parse
 * result (a record, or why the file is skipped) by path and blob id, written by the build and kept
 * between builds as an artifact of the workflow run that built it. A build that is given the store
 * takes those results as they are: no text to fetch, hash or parse, the costliest part of reading
 * a million signatures (docs/performance.md, "The trusted store").
 *
 * Why this may be trusted where the record cache may not (issue #26): any job on the default
 * branch can save an Actions cache entry, but an artifact is uploaded only by a step of the run it
 * belongs to. scripts/github/trusted-records.ts downloads the store only from a successful run, on
 * the default branch of this repository, of one of our own workflows and an event that runs their
 * code as committed (never a pull request's); that run's steps could have published anything
 * anyway. The store names the rules it was parsed by (`rulesFingerprint`): after any change to the
 * parsing code, the dependencies or Node's Unicode version it is not used, and every file is read
 * again. Paths and blob ids are still matched against the commit's tree, so a file changed or
 * removed since is read or dropped as with the cache.
 *
 * The rows are the record cache's (load-signatures-git-cache.ts), with the result's JSON where the
 * cache has git's object: "<blob id> <path>\n", "json <size>\0", the JSON, "\n".
 */
import type { PetitionRecord } from '../core/offline-signature.ts';
import { type CacheRow, type RowFormat } from './load-signatures-git-cache.ts';

/** The store's format, named in its header line with the rules fingerprint it was parsed by. */
export const TRUSTED_FORMAT = 'petition-records/1';

/** A file's record, or (a string) why it was skipped. */
export type StoredResult = PetitionRecord | string;

/** How the store's rows are read: results as JSON, from a header that names our format and `rules`. */
export function trustedRows(rules: string): RowFormat {
  return {
    kind: 'json',
    headerProblem: (line) => {
      let header: { format?: unknown; rules?: unknown } | undefined;
      try {
        header = line === undefined ? undefined : (JSON.parse(line) as typeof header);
      } catch {
        header = undefined;
      }
      if (header?.format !== TRUSTED_FORMAT) return 'the records are of another format';
      return header.rules === rules ? undefined : 'the records were parsed by other rules';
    },
  };
}

/** The header fields the store is written with (besides the commit and tree). */
export const trustedHeader = (rules: string) => ({ format: TRUSTED_FORMAT, rules });

/** A result as a row stores it: JSON (written as UTF-8). */
export function encodeResult(result: StoredResult): string {
  return JSON.stringify(result);
}

/**
 * A row's result, or undefined when its JSON is not one (a store cut short, or written by a
 * version whose records had another shape: the file is then read through git).
 */
export function decodeResult(row: CacheRow): StoredResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(row.buffer.toString('utf8', row.textStart, row.rowEnd - 1));
  } catch {
    return undefined;
  }
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { name, country, signed_at, letter_sha256, reason } = value as Record<string, unknown>;
  for (const text of [name, country, signed_at, letter_sha256, reason]) if (typeof text !== 'string') return undefined;
  return value as PetitionRecord;
}
