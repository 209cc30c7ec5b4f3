/**
 * Writing the git loader's record cache (its format and reading: load-signatures-git-cache.ts):
 * the rows that passed are copied as the old cache is read, the files read through git are added,
 * and the new file is renamed over the old one only when something changed, in the tree's order.
 */
import { closeSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { SIGNATURE_FILE_MAX_BYTES } from '../core/signature-file.ts';
import {
  CACHE_FORMAT,
  MAX_PATH_BYTES,
  RESULT_MAX_BYTES,
  type CacheRow,
  type RowObjectKind,
} from './load-signatures-git-cache.ts';

/** The new cache, being written as the old one is read: the rows that passed, then the files read. */
export interface CacheWriter {
  /** Copies a row that passed (see CacheReading.use), the tree's file `index`. */
  copy: (index: number, row: CacheRow) => void;
  /**
   * Adds the tree's file `index`: its path, blob id and bytes, read through git (a `blob` row), or
   * the JSON of its parse result (a `json` row, for the store of our own builds' records).
   */
  writeRead: (index: number, file: string, blob: string, bytes: Uint8Array | string, kind?: RowObjectKind) => void;
  /** Replaces the cache file with the new one when `changed`; else (or on a write error) drops it. */
  finish: (changed: boolean) => Promise<void>;
}

/**
 * Rows may come out of the tree's order (the files git reads come last, in the order of its
 * pack) up to this share of them before the new cache is rewritten in the tree's order.
 */
const OUT_OF_ORDER_SHARE = 0.02;

/**
 * Starts the new cache for `commit` and `tree` beside `cacheFile`; `count` is the number of
 * files in the tree; `header` is what the header line says besides them (the format, and more);
 * `inTreeOrder` promises the rows in the tree's order, so that they are never put in order after. The cache keeps its rows in the tree's order: the next build then meets
 * the tree's files, blob ids and results one after the other. In the order of git's pack, every
 * row sent the reader to a random place in a million of each, and reading the cache took 2.5 s
 * longer at a million signatures (12.3 against 9.8 s, the same rows in either order).
 */
export async function cacheWriter(
  cacheFile: string,
  commit: string,
  tree: string,
  count: number,
  header: Record<string, string> = { format: CACHE_FORMAT },
  inTreeOrder = false,
): Promise<CacheWriter> {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  await mkdir(path.dirname(temporary), { recursive: true });
  // Written synchronously, a megabyte at a time: rows arrive faster than a stream writes them, and
  // a stream would have held the whole new cache (300 MB at a million signatures) in memory.
  // Read back too, when its rows are put in the tree's order at the end.
  const out = new BufferedFile(temporary, 'w+');
  let writeError: Error | undefined;
  // Rows written in the tree's order by the caller need no places kept (at three million, 36 MB
  // when the first build holds the most); should one come out of order, the file stays as written.
  const places = new RowPlaces(inTreeOrder ? 0 : count);
  out.writeText(`${JSON.stringify({ ...header, commit, tree })}\n`);
  const headerLength = out.written;
  return {
    copy: (index, row) => {
      if (writeError) return;
      const start = out.written;
      try {
        out.write(row.buffer.subarray(row.rowStart, row.rowEnd));
      } catch (error) {
        writeError = error as Error;
      }
      places.add(index, start, out.written - start);
    },
    writeRead: (index, file, blob, text, kind = 'blob') => {
      const maxBytes = kind === 'blob' ? SIGNATURE_FILE_MAX_BYTES : RESULT_MAX_BYTES;
      // A result's JSON goes into the buffer as text: no bytes made for each of a million rows.
      const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
      // A path a row cannot hold is read through git at each build instead.
      if (file.includes('\n') || Buffer.byteLength(file) > MAX_PATH_BYTES || size > maxBytes) return;
      if (writeError) return;
      const start = out.written;
      try {
        out.writeText(`${blob} ${file}\n${kind} ${size}\0`);
        if (typeof text === 'string') out.writeText(text);
        else out.write(text);
        out.writeText('\n');
      } catch (error) {
        writeError = error as Error;
      }
      places.add(index, start, out.written - start);
    },
    finish: async (changed) => {
      let finished = temporary;
      try {
        if (!writeError) out.flush();
        if (!writeError && changed && !inTreeOrder && places.outOfOrder > places.rows * OUT_OF_ORDER_SHARE) {
          finished = `${temporary}.ordered`;
          copyInTreeOrder(out.fd, headerLength, places.starts, places.lengths, finished);
        }
      } catch (error) {
        writeError ??= error as Error;
      } finally {
        closeSync(out.fd);
      }
      if (finished !== temporary) await rm(temporary, { force: true });
      if (writeError || !changed) await rm(finished, { force: true });
      else
        await rename(finished, cacheFile).catch(async (error: unknown) => {
          await rm(finished, { force: true });
          throw error;
        });
      if (writeError) throw writeError;
    },
  };
}

/** Where each of the tree's files has its row in the new cache, and how far from the tree's order they came. */
class RowPlaces {
  /** By tree position: where the row starts in the file (-1: no row), and its length. */
  readonly starts: Float64Array;
  readonly lengths: Int32Array;
  rows = 0;
  /** Rows that came after a row of a later tree position. */
  outOfOrder = 0;
  private last = -1;

  constructor(count: number) {
    this.starts = new Float64Array(count).fill(-1);
    this.lengths = new Int32Array(count);
  }

  add(index: number, start: number, length: number): void {
    if (index < this.starts.length) {
      this.starts[index] = start;
      this.lengths[index] = length;
    }
    this.rows += 1;
    if (index < this.last) this.outOfOrder += 1;
    else this.last = index;
  }
}

/** The most bytes of rows put in order in memory at a time. */
const BUCKET_BYTES = 8 << 20;

/**
 * Writes `target`: the header (the first `headerLength` bytes of the file open as `source`), then
 * every file's row in the tree's order, from where `rowStarts` and `rowLengths` say they are in
 * `source`. Two sequential passes and bounded memory, whatever the order of `source`: the rows are
 * first spread, in the order they are stored, over bucket files of consecutive tree positions
 * (8 MB each), then each bucket is read whole and written out in order: 1.7 s at a million rows in
 * the order of git's pack, where reading row by row from the temporary file took about 3 s. It runs
 * when the loader holds the most memory, so it keeps little: `rowStarts` is reused for where each
 * row is in its bucket.
 */
function copyInTreeOrder(
  source: number,
  headerLength: number,
  rowStarts: Float64Array,
  rowLengths: Int32Array,
  target: string,
): void {
  const buckets = bucketsOf(rowStarts, rowLengths);
  const bucketFiles = buckets.map((_, number) => `${target}.${number}`);
  try {
    spreadIntoBuckets(source, rowStarts, rowLengths, buckets, bucketFiles);
    const out = new BufferedFile(target);
    try {
      const header = Buffer.allocUnsafe(headerLength);
      readAtLeast(source, header, 0, headerLength);
      out.write(header);
      buckets.forEach((first, number) => {
        const bucket = readFileSync(bucketFiles[number]!);
        const end = buckets[number + 1] ?? rowStarts.length;
        for (let index = first; index < end; index += 1)
          if (rowLengths[index]! > 0)
            out.write(bucket.subarray(rowStarts[index]!, rowStarts[index]! + rowLengths[index]!));
      });
    } finally {
      out.close();
    }
  } finally {
    for (const file of bucketFiles) rmSync(file, { force: true });
  }
}

/** The first tree position of each bucket: consecutive positions whose rows hold at most BUCKET_BYTES (or one row). */
function bucketsOf(rowStarts: Float64Array, rowLengths: Int32Array): number[] {
  const firsts = [0];
  let bytes = 0;
  for (let index = 0; index < rowStarts.length; index += 1) {
    if (rowStarts[index]! < 0) continue;
    if (bytes > 0 && bytes + rowLengths[index]! > BUCKET_BYTES) {
      firsts.push(index);
      bytes = 0;
    }
    bytes += rowLengths[index]!;
  }
  return firsts;
}

/** The bucket of tree position `index`, given each bucket's first position. */
function bucketOf(firsts: readonly number[], index: number): number {
  let low = 0;
  let high = firsts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (firsts[middle]! <= index) low = middle;
    else high = middle - 1;
  }
  return low;
}

/**
 * Reads `source`'s rows in the order they are stored and appends each to its bucket's file;
 * `rowStarts[index]` becomes where the row is in its bucket file.
 */
function spreadIntoBuckets(
  source: number,
  rowStarts: Float64Array,
  rowLengths: Int32Array,
  buckets: readonly number[],
  bucketFiles: readonly string[],
): void {
  const order = inStoredOrder(rowStarts);
  // A small buffer each: three million rows make about 120 buckets, written at once.
  const outs = bucketFiles.map((file) => new BufferedFile(file, 'w', 64 << 10));
  const chunk = Buffer.allocUnsafe(1 << 20);
  let chunkStart = 0;
  let chunkEnd = 0;
  try {
    for (const index of order) {
      const start = rowStarts[index]!;
      const length = rowLengths[index]!;
      if (start < chunkStart || start + length > chunkEnd) {
        chunkStart = start;
        chunkEnd = start + readAtLeast(source, chunk, start, length);
      }
      const out = outs[bucketOf(buckets, index)]!;
      rowStarts[index] = out.written;
      out.write(chunk.subarray(start - chunkStart, start - chunkStart + length));
    }
  } finally {
    for (const out of outs) out.close();
  }
}

/** The tree positions that have a row, in the order their rows are stored. */
function inStoredOrder(rowStarts: Float64Array): Int32Array {
  const count = rowStarts.length;
  let present = 0;
  let last = 0;
  for (const start of rowStarts)
    if (start >= 0) {
      present += 1;
      last = Math.max(last, start);
    }
  const positionBits = Math.max(1, Math.ceil(Math.log2(count + 1)));
  const order = new Int32Array(present);
  if (last < 2 ** (53 - positionBits)) {
    // Start and position packed in one number and sorted as a typed array: several times faster
    // than sorting positions with a comparison.
    const keys = new Float64Array(present);
    let at = 0;
    for (let index = 0; index < count; index += 1)
      if (rowStarts[index]! >= 0) keys[at++] = rowStarts[index]! * 2 ** positionBits + index;
    keys.sort();
    for (let i = 0; i < present; i += 1) order[i] = keys[i]! % 2 ** positionBits;
    return order;
  }
  let at = 0;
  for (let index = 0; index < count; index += 1) if (rowStarts[index]! >= 0) order[at++] = index;
  return order.sort((a, b) => rowStarts[a]! - rowStarts[b]!);
}

/** Reads `source` at `position` into `into`, as much as it holds, at least `minimum` bytes. */
function readAtLeast(source: number, into: Buffer, position: number, minimum: number): number {
  let done = 0;
  while (done < minimum) {
    const read = readSync(source, into, done, into.length - done, position + done);
    if (read === 0) throw new Error('the new record cache ended early');
    done += read;
  }
  return done;
}

/**
 * A file written synchronously through a buffer (`bufferBytes`: 1 MB unless said). Each piece is
 * put straight into the buffer: a buffer made for each row's header and joined later cost 1.3 s
 * at a million rows.
 */
class BufferedFile {
  readonly fd: number;
  private readonly buffer: Buffer;
  private used = 0;
  /** Bytes written so far. */
  written = 0;

  constructor(file: string, flags = 'w', bufferBytes = 1 << 20) {
    this.fd = openSync(file, flags);
    this.buffer = Buffer.allocUnsafe(bufferBytes);
  }

  write(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) this.flush();
    if (bytes.length > this.buffer.length) writeAll(this.fd, bytes);
    else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.written += bytes.length;
  }

  /** Writes `text` as UTF-8; it must fit the buffer (a row's header does, MAX_PATH_BYTES and a blob id, and a result's JSON, RESULT_MAX_BYTES). */
  writeText(text: string): void {
    if (this.used + text.length * 3 > this.buffer.length) this.flush();
    const bytes = this.buffer.write(text, this.used, 'utf8');
    this.used += bytes;
    this.written += bytes;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }

  flush(): void {
    writeAll(this.fd, this.buffer.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}
