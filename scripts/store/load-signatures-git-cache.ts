/**
 * The git loader's cache of signature files (load-signatures-git.ts): after a JSON header line,
 * one row per file, "<blob id> <path>\n", then git's own object of the file, "blob <size>\0" and
 * its bytes, then "\n". The cache is hostile input (any job on the default branch can save one),
 * so a row is used only when its path is a signature file of the commit's tree, its blob id is the
 * tree's, and its object hashes to that id; every other row is counted as rejected, and the
 * reading is bounded in rows, header length and bytes before any parsing. The new cache is written
 * beside the old one and renamed over it only when something changed
 * (load-signatures-git-cache-writer.ts).
 *
 * Why this shape: the bytes hashed are the bytes stored, so checking a row is one hash of a slice
 * of what was read (no JSON to decode, no text to encode again), and the text is decoded exactly
 * as a file read through `git cat-file` is, invalid UTF-8 included.
 */
import { createReadStream } from 'node:fs';
import { hash } from 'node:crypto';
import { SIGNATURE_FILE_MAX_BYTES } from '../core/signature-file.ts';

/** The cache's format: a header line, then one row per file (see above). */
export const CACHE_FORMAT = 'petition-blob-cache/3';

/** Cached rows the build did not use, by why. */
export interface CacheRejections {
  /** Rows for a path that is not a signature file in the commit's tree (deleted since, or never there). */
  notInTree: number;
  /** Rows whose blob id is not the tree's for that path (the file changed since). */
  otherBlob: number;
  /** Rows whose object does not hash to their blob id: altered. */
  altered: number;
  /** Lines that are not a well-formed row (or too long to be one), and repeated paths. */
  malformed: number;
  /** The first few rejected rows' paths and why, for the log (raw: print them through inertLogText). */
  examples: string[];
}

/** The longest path a row may name, in bytes; a longer header line is not held in memory. */
export const MAX_PATH_BYTES = 4096;
/** A row's first line: a blob id, a space, a path. */
const MAX_ROW_HEADER_BYTES = 64 + 1 + MAX_PATH_BYTES;
/**
 * What a row holds after its first line: git's object of the file ("blob <size>\0" and its bytes)
 * in the record cache, or the file's parse result as JSON ("json <size>\0" and the JSON) in the
 * store of our own builds' records (load-signatures-git-trusted.ts). Both are at most five digits
 * long (SIGNATURE_FILE_MAX_BYTES has five; a result's JSON is bounded by RESULT_MAX_BYTES).
 */
export type RowObjectKind = 'blob' | 'json';
/** The longest JSON a row of results may hold: a record's is about its file's size (the escapes of JSON and YAML alike). */
export const RESULT_MAX_BYTES = 2 * SIGNATURE_FILE_MAX_BYTES;
const MAX_OBJECT_HEADER_BYTES = 'blob '.length + 5 + 1;

/** The id git gives a blob of `text`: the hash of "blob <bytes>\0" and the bytes. */
export function gitBlobId(text: string | Uint8Array, idLength: number): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return hash(
    idLength === 64 ? 'sha256' : 'sha1',
    Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]),
    'hex',
  );
}

/** The id of a git object given whole ("blob <size>\0<bytes>"), by the length of the id it is checked against. */
const objectId = (object: Uint8Array, idLength: number) => hash(idLength === 64 ? 'sha256' : 'sha1', object, 'hex');

const ROW_HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) ([^\n]+)$/;
const OBJECT_HEADERS: Record<RowObjectKind, { pattern: RegExp; maxBytes: number }> = {
  blob: { pattern: /^blob (0|[1-9]\d{0,4})$/, maxBytes: SIGNATURE_FILE_MAX_BYTES },
  json: { pattern: /^json (0|[1-9]\d{0,4})$/, maxBytes: RESULT_MAX_BYTES },
};

/** One row as read: where its parts are in `buffer`. */
export interface CacheRow {
  blob: string;
  file: string;
  buffer: Buffer;
  /** The row from its first byte to its closing newline, included: what the new cache copies. */
  rowStart: number;
  rowEnd: number;
  /** Git's object ("blob <size>\0" and the file's bytes), or "json <size>\0" and a result. */
  objectStart: number;
  /** Where the file's bytes (or the result's JSON) start; they end at `rowEnd - 1`. */
  textStart: number;
}

/**
 * Splits a cache file into rows as it streams in, bounded: a row header longer than a path can
 * be, an object header that is not "blob <size>" with a size a signature file can have, or a row
 * whose object is not followed by a newline is malformed (`onRow(undefined)`), and reading goes on
 * at the next line. Stops after `maxBytes`, or when `onRow` returns false. Rows are handed over
 * synchronously within each chunk read. `kind` is what each row's object must be.
 */
export async function forEachCacheRow(
  file: string,
  maxBytes: number,
  onHeader: (line: string | undefined) => boolean,
  onRow: (row: CacheRow | undefined) => boolean,
  kind: RowObjectKind = 'blob',
): Promise<void> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  let pending: Buffer = Buffer.alloc(0);
  let total = 0;
  let header = true;
  let skipping = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      for (;;) {
        const newline = pending.indexOf(0x0a, offset);
        if (skipping) {
          if (newline < 0) {
            offset = pending.length;
            break;
          }
          skipping = false;
          offset = newline + 1;
          continue;
        }
        if (header) {
          if (newline < 0) {
            if (pending.length - offset > MAX_ROW_HEADER_BYTES) return void onHeader(undefined);
            break;
          }
          header = false;
          if (!onHeader(pending.toString('utf8', offset, newline))) return;
          offset = newline + 1;
          continue;
        }
        if (newline < 0 || newline - offset > MAX_ROW_HEADER_BYTES) {
          if (pending.length - offset <= MAX_ROW_HEADER_BYTES) break;
          // A line longer than any row header: skipped without being held.
          if (!onRow(undefined)) return;
          skipping = newline < 0;
          offset = newline < 0 ? pending.length : newline + 1;
          continue;
        }
        const read = rowAt(pending, offset, newline, kind);
        if (read === 'incomplete') break;
        if (!onRow(read)) return;
        offset = read === undefined ? newline + 1 : read.rowEnd;
      }
      pending = pending.subarray(offset);
      if (total > maxBytes) return void onRow(undefined);
    }
    if (header) {
      if (pending.length > 0) onHeader(pending.toString('utf8'));
    } else if (pending.length > 0 && !skipping) onRow(undefined);
  } finally {
    stream.destroy();
  }
}

/** The row starting at `offset` whose first line ends at `newline`: malformed, complete, or not all read yet. */
function rowAt(
  buffer: Buffer,
  offset: number,
  newline: number,
  kind: RowObjectKind,
): CacheRow | undefined | 'incomplete' {
  const match = ROW_HEADER.exec(buffer.toString('utf8', offset, newline));
  if (!match) return undefined;
  const objectStart = newline + 1;
  // Looked for within the longest object header only: a forged file without NULs costs no rescans.
  const found = buffer.subarray(objectStart, objectStart + MAX_OBJECT_HEADER_BYTES + 1).indexOf(0);
  const nul = found < 0 ? -1 : objectStart + found;
  if (nul < 0 || nul - objectStart > MAX_OBJECT_HEADER_BYTES)
    return buffer.length - objectStart > MAX_OBJECT_HEADER_BYTES ? undefined : 'incomplete';
  const object = OBJECT_HEADERS[kind];
  const size = object.pattern.exec(buffer.toString('latin1', objectStart, nul));
  if (!size || Number(size[1]) > object.maxBytes) return undefined;
  const textEnd = nul + 1 + Number(size[1]);
  if (textEnd + 1 > buffer.length) return 'incomplete';
  if (buffer[textEnd] !== 0x0a) return undefined;
  return {
    blob: match[1]!,
    file: match[2]!,
    buffer,
    rowStart: offset,
    rowEnd: textEnd + 1,
    objectStart,
    textStart: nul + 1,
  };
}

/** How many of the tree's files after the last row's a row's file is looked for among, before the map of all. */
const LOOK_AHEAD = 16;

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
  /** A row that passed every check: the file's index and the row (its text at `textStart`). */
  use: (index: number, row: CacheRow) => void;
  /** Where rejected rows are counted. */
  rejected: CacheRejections;
}

/**
 * Finds a row's file among the tree's: the rows keep the tree's order, so a row's file is nearly
 * always just after the last one's (new files sit between them) and is looked for there first. A
 * map of every path, made only when a row is elsewhere, cost a random read into a million entries a
 * row (about 1 s at a million).
 */
function treeIndexer(files: readonly string[], irregular: readonly boolean[]): (file: string) => number | undefined {
  const count = files.length;
  let where: Map<string, number> | undefined;
  let next = 0;
  return (file) => {
    for (let index = next; index < count && index < next + LOOK_AHEAD; index += 1)
      if (files[index] === file && !irregular[index]) return (next = index + 1) - 1;
    if (!where) {
      where = new Map();
      for (let index = 0; index < count; index += 1) if (!irregular[index]) where.set(files[index]!, index);
    }
    const index = where.get(file);
    if (index !== undefined) next = index + 1;
    return index;
  };
}

/** How rows are read: what their objects are, and why a header line is refused (undefined: accepted). */
export interface RowFormat {
  kind: RowObjectKind;
  headerProblem: (line: string | undefined) => string | undefined;
}

/** The record cache's rows: git's objects, each hashed against its blob id before it is used. */
const CACHE_ROWS: RowFormat = {
  kind: 'blob',
  headerProblem: (line) => (cacheFormat(line) === CACHE_FORMAT ? undefined : 'the cache is of another format'),
};

/**
 * Reads the cache file, handing each row that passes to `reading.use` and counting the others in
 * `reading.rejected`. Returns why the cache was not used at all (no file, another format, empty,
 * unreadable), or undefined when it was read. Rows of `blob` objects must hash to their blob id;
 * rows of `json` results (a store only our own builds write, load-signatures-git-trusted.ts) are
 * taken as they are.
 */
export async function readCache(
  cacheFile: string,
  reading: CacheReading,
  format: RowFormat = CACHE_ROWS,
): Promise<string | undefined> {
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
  const indexOf = treeIndexer(files, irregular);
  let coldBecause: string | undefined = 'the cache is empty';
  let rows = 0;
  // An honest cache has about one row per file; a forged one is read no further than this.
  const maxRows = 2 * count + 10_000;
  const maxBytes = (maxRows + 1) * 2048 + 64 * 1024 * 1024;
  const onHeader = (line: string | undefined) => {
    coldBecause = format.headerProblem(line);
    return coldBecause === undefined;
  };
  const onRow = (row: CacheRow | undefined) => {
    if ((rows += 1) > maxRows) {
      reject('malformed', undefined, `more rows than ${maxRows}: the rest not read`);
      return false;
    }
    if (!row) {
      reject('malformed', undefined, `row ${rows} is not "<blob id> <path>" and a git ${format.kind}`);
      return true;
    }
    const { file, blob } = row;
    const index = indexOf(file);
    if (index === undefined) reject('notInTree', file, `not a signature file at ${commit.slice(0, 12)}`);
    else if (reading.has(index)) reject('malformed', file, 'a second row for the same path');
    else if (blobs[index] !== blob) reject('otherBlob', file, 'changed since');
    else if (
      format.kind === 'blob' &&
      objectId(row.buffer.subarray(row.objectStart, row.rowEnd - 1), blob.length) !== blob
    )
      reject('altered', file, 'the text does not hash to its blob id');
    else reading.use(index, row);
    return true;
  };
  try {
    await forEachCacheRow(cacheFile, maxBytes, onHeader, onRow, format.kind);
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
