/**
 * What the verifier's checks share: where the site is read from, what the clone says it must
 * show, one difference found, and reading a site a few files at a time.
 */
import { gunzipSync } from 'node:zlib';
import type { BulkSource } from '../site/bulk-pages.ts';
import type { SiteData } from '../site/site-data.ts';

/** Where the site is read from: `read("letter/index.html")` gives the file's bytes or undefined when there is none. */
export interface SiteSource {
  /** How to name the site in messages: the folder or the URL. */
  label: string;
  read(relativePath: string): Promise<Uint8Array | undefined>;
}

/** One thing that differs: where (a path in the site or the clone) and what. */
export interface Difference {
  where: string;
  what: string;
}

/** What the clone says: the build's data and its bulk source (the records, newest first). */
export interface Expected {
  data: SiteData;
  bulk: BulkSource;
}

/** A file's bytes as UTF-8 text. */
export const text = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

/** Runs `work` over `items` with at most `limit` at once (fetching a published site page by page). */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}

/**
 * The most a compressed file of the site may unpack to (a CSV part of 1,000 rows at the signature
 * limits is under 14 MB): a site that is not what it says is not unpacked without bound.
 */
export const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

/** What is wrong with a compressed file that {@link unpackedText} cannot unpack. */
export const NOT_UNPACKED = `is not gzip, or unpacks to more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB`;

/** The UTF-8 text a gzip file of the site unpacks to, or undefined when it is not gzip or unpacks past {@link MAX_UNPACKED_BYTES}. */
export function unpackedText(gz: Uint8Array): string | undefined {
  try {
    return gunzipSync(gz, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8');
  } catch {
    return undefined;
  }
}

/** The numbers written in a piece of text, in any of the site's number formats ("12,304", "12 304"). */
export function numbersIn(fragment: string): number[] {
  const plain = fragment.replace(/<[^>]{0,500}>/g, ' ');
  return [...plain.matchAll(/\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d+/g)].map((m) =>
    Number(m[0].replace(/\D/g, '')),
  );
}
