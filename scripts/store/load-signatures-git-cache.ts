/**
 * The git loader's cache of signature files (load-signatures-git.ts): one JSON row [path, blob id,
 * text] a line after a header. The cache is hostile input (any job on the default branch can save
 * one), so a row is used only when its path is a signature file of the commit's tree, its blob id
 * is the tree's, and its text hashes to that id; every other row is counted as rejected, and the
 * reading is bounded in rows, line length and characters before any parsing. The new cache is
 * written beside the old one and renamed over it only when something changed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { SIGNATURE_FILE_MAX_BYTES } from '../core/signature-file.ts';

/** The cache's format: a header line, then one JSON array [path, blob id, text] a line. */
const CACHE_FORMAT = 'petition-blob-cache/2';

/** Cached rows the build did not use, by why. */
export interface CacheRejections {
  /** Rows for a path that is not a signature file in the commit's tree (deleted since, or never there). */
  notInTree: number;
  /** Rows whose blob id is not the tree's for that path (the file changed since). */
  otherBlob: number;
  /** Rows whose text does not hash to their blob id: altered. */
  altered: number;
  /** Lines that are not a well-formed row (or too long to be one), and repeated paths. */
  malformed: number;
  /** The first few rejected rows' paths and why, for the log (raw: print them through inertLogText). */
  examples: string[];
}

/**
 * The longest line an honest row can be: a file's text is at most SIGNATURE_FILE_MAX_BYTES, and
 * JSON writes a character as at most six ("\u0000"), plus the path and blob id. A longer line is
 * not read into memory at all.
 */
const MAX_ROW_CHARACTERS = 6 * SIGNATURE_FILE_MAX_BYTES + 8192;

/** The id git gives a blob of `text`: the hash of "blob <bytes>\0" and the bytes. */
export function gitBlobId(text: string, idLength: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash(idLength === 64 ? 'sha256' : 'sha1')
    .update(`blob ${bytes.length}\0`)
    .update(bytes)
    .digest('hex');
}

const BLOB_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * Calls `onLine` with each line of a file, each at most `max` characters: a longer one is skipped
 * without being held (`onLine` gets undefined, counted as malformed), so a forged cache of one
 * endless line costs a read, not the memory. Stops after `maxCharacters` in all, or when `onLine`
 * returns false. Lines are handed over synchronously within each chunk read (an await per line
 * cost a tenth of the time at 100,000 rows).
 */
export async function forEachLine(
  file: string,
  max: number,
  maxCharacters: number,
  onLine: (line: string | undefined) => boolean,
): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let pending = '';
  let overlong = false;
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      total += chunk.length;
      let start = 0;
      for (let newline = chunk.indexOf('\n'); newline >= 0; newline = chunk.indexOf('\n', start)) {
        const line = overlong ? undefined : pending + chunk.slice(start, newline);
        pending = '';
        overlong = false;
        start = newline + 1;
        if (!onLine(line)) return;
      }
      if (!overlong) {
        pending += chunk.slice(start);
        if (pending.length > max) {
          pending = '';
          overlong = true;
        }
      }
      if (total > maxCharacters) {
        onLine(undefined);
        return;
      }
    }
    if (overlong) onLine(undefined);
    else if (pending !== '') onLine(pending);
  } finally {
    stream.destroy();
  }
}

/** Parses one cached row, or undefined when the line is not [path, blob id, text] of bounded size. */
function cachedRow(line: string): [string, string, string] | undefined {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(row) || row.length !== 3) return undefined;
  const [file, blob, text] = row as unknown[];
  if (typeof file !== 'string' || typeof blob !== 'string' || typeof text !== 'string') return undefined;
  if (file.length > 4096 || !BLOB_ID.test(blob) || text.length > SIGNATURE_FILE_MAX_BYTES) return undefined;
  return [file, blob, text];
}

/** How many rejected rows the log names. */
const EXAMPLES = 5;

/** No rejected rows yet. */
export function noRejections(): CacheRejections {
  return { notInTree: 0, otherBlob: 0, altered: 0, malformed: 0, examples: [] };
}

/** Whether any cached row was rejected. */
export function anyRejected(rejected: CacheRejections): boolean {
  return rejected.notInTree + rejected.otherBlob + rejected.altered + rejected.malformed > 0;
}

/** What reading the cache checks rows against, and where the rows that pass go. */
export interface CacheReading {
  /** The commit read, and its tree's signature files (see listTree). */
  commit: string;
  files: readonly string[];
  blobs: readonly string[];
  irregular: readonly boolean[];
  /** Whether the file at `index` has its text already (a second row for the same path). */
  has: (index: number) => boolean;
  /** A row that passed every check: the file's index, its text, and the row's line to keep. */
  use: (index: number, text: string, line: string) => void;
  /** Where rejected rows are counted. */
  rejected: CacheRejections;
}

/**
 * Reads the cache file, handing each row that passes to `reading.use` and counting the others in
 * `reading.rejected`. Returns why the cache was not used at all (no file, another format, empty,
 * unreadable), or undefined when it was read.
 */
export async function readCache(cacheFile: string, reading: CacheReading): Promise<string | undefined> {
  const { commit, files, blobs, irregular, rejected } = reading;
  const count = files.length;
  const reject = (kind: Exclude<keyof CacheRejections, 'examples'>, file: string | undefined, why: string) => {
    rejected[kind] += 1;
    // A forged path may be 4,096 characters: the log gets its start.
    if (rejected.examples.length < EXAMPLES)
      rejected.examples.push(
        file === undefined ? why : `${file.length > 120 ? `${file.slice(0, 119)}…` : file}: ${why}`,
      );
  };
  const where = new Map<string, number>();
  for (let index = 0; index < count; index += 1) if (!irregular[index]) where.set(files[index]!, index);
  let header = true;
  let coldBecause: string | undefined;
  let rows = 0;
  // An honest cache has about one row per file; a forged one is read no further than this.
  const maxRows = 2 * count + 10_000;
  try {
    await forEachLine(cacheFile, MAX_ROW_CHARACTERS, (maxRows + 1) * 2048 + 64 * 1024 * 1024, (line) => {
      if (header) {
        header = false;
        if (cacheFormat(line) === CACHE_FORMAT) return true;
        coldBecause = 'the cache is of another format';
        return false;
      }
      if ((rows += 1) > maxRows) {
        reject('malformed', undefined, `more rows than ${maxRows}: the rest not read`);
        return false;
      }
      const row = line === undefined ? undefined : cachedRow(line);
      if (!row) {
        reject('malformed', undefined, `line ${rows + 1} is not a [path, blob id, text] row`);
        return true;
      }
      const [file, blob, text] = row;
      const index = where.get(file);
      if (index === undefined) reject('notInTree', file, `not a signature file at ${commit.slice(0, 12)}`);
      else if (reading.has(index)) reject('malformed', file, 'a second row for the same path');
      else if (blobs[index] !== blob) reject('otherBlob', file, 'changed since');
      else if (gitBlobId(text, blob.length) !== blob) reject('altered', file, 'the text does not hash to its blob id');
      else reading.use(index, text, line!);
      return true;
    });
    if (header) coldBecause = 'the cache is empty';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') coldBecause = 'no cache yet';
    else coldBecause = `the cache is unreadable (${(error as Error).message.slice(0, 200)})`;
  }
  return coldBecause;
}

/** The format a header line names, or undefined when it is not a JSON header. */
function cacheFormat(line: string | undefined): unknown {
  try {
    return line === undefined ? undefined : (JSON.parse(line) as { format?: unknown })?.format;
  } catch {
    return undefined;
  }
}

/** The new cache, being written as the old one is read: the rows that passed, then the files read. */
export interface CacheWriter {
  /** Adds a row (a line of text ending in a newline). */
  write: (text: string) => void;
  /** Adds the text of a file read through git, unless it would not hash back to its blob id. */
  writeRead: (file: string, blob: string, text: string) => void;
  /** Replaces the cache file with the new one when `changed`; else (or on a write error) drops it. */
  finish: (changed: boolean) => Promise<void>;
}

/** Starts the new cache for `commit` and `tree` beside `cacheFile`. */
export async function cacheWriter(cacheFile: string, commit: string, tree: string): Promise<CacheWriter> {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  await mkdir(path.dirname(temporary), { recursive: true });
  const out = createWriteStream(temporary, { encoding: 'utf8' });
  let writeError: Error | undefined;
  out.on('error', (error) => (writeError ??= error));
  // Rows are gathered into chunks of a megabyte: a stream write per row cost more than the rows.
  let chunk = '';
  const write = (text: string) => {
    chunk += text;
    if (chunk.length >= 1 << 20) {
      out.write(chunk);
      chunk = '';
    }
  };
  write(`${JSON.stringify({ format: CACHE_FORMAT, commit, tree })}\n`);
  return {
    write,
    writeRead: (file, blob, text) => {
      // Text that is not valid UTF-8 (decoded with U+FFFD) would not hash back to its blob: not cached.
      if (text.length <= SIGNATURE_FILE_MAX_BYTES && !text.includes('\uFFFD'))
        write(`${JSON.stringify([file, blob, text])}\n`);
    },
    finish: async (changed) => {
      out.write(chunk);
      chunk = '';
      await new Promise<void>((resolve) => out.end(resolve));
      if (writeError || !changed) await rm(temporary, { force: true });
      else
        await rename(temporary, cacheFile).catch(async (error: unknown) => {
          await rm(temporary, { force: true });
          throw error;
        });
      if (writeError) throw writeError;
    },
  };
}
