/**
 * Reads every signature file under a folder (the site's build, `npm run tally`, the benchmark).
 * Bad files are reported and skipped: one stranger's broken file must never stop everyone
 * else's signatures from being counted.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BLOCKED_ACCOUNTS_PATH, parseBlockedAccounts } from '../core/moderation.ts';
import { isOffline, parseAnySignatureFile, type PetitionRecord } from '../core/offline-signature.ts';

export interface SkippedSignatureFile {
  /** Path relative to the signatures folder. */
  file: string;
  problem: string;
}

export interface LoadedSignatures {
  /** GitHub signatures and, from signatures/offline/, paper and email ones. */
  records: PetitionRecord[];
  skipped: SkippedSignatureFile[];
}

/**
 * The user ids maintainers blocked, from the project's moderation list: the build and the
 * recount leave out any signature file of theirs still in the tree, as the processor would.
 */
export function blockedAccountIds(projectRoot: string): Set<number> {
  let text: string;
  try {
    text = readFileSync(path.join(projectRoot, BLOCKED_ACCOUNTS_PATH), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
  return new Set(parseBlockedAccounts(text).keys());
}

/** The signatures folder the build reads: $SIGNATURES_DIR, or signatures/ in the project. */
export function signaturesDirectory(env: NodeJS.ProcessEnv, projectRoot: string): string {
  return path.resolve(projectRoot, env.SIGNATURES_DIR?.trim() || 'signatures');
}

/** Why a link, pipe or device (or, in git, a link or submodule) named like a signature file is skipped: it holds no signature of its own. */
export const NOT_A_REGULAR_FILE = 'not a regular file (a link or a submodule)';

/**
 * Every `*.md` file below `directory` (README.md at the top is documentation), as sorted paths
 * relative to it with "/" separators: `files` the regular files, `irregular` the rest (symbolic
 * links, pipes, devices), which are never opened: a link could name /dev/zero or a file outside
 * the repository, a pipe would block the reader, and the git loader skips them too. Walks the tree
 * itself: fs.readdir's `recursive` option stats every entry again (about 1 s for 100,000 files in
 * 10,000 shard folders), while the directory entries already say what each entry is.
 */
export function listSignatureEntries(directory: string): { files: string[]; irregular: string[] } {
  const files: string[] = [];
  const irregular: string[] = [];
  const walk = (absolute: string, relative: string) => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const name = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(absolute, entry.name), name);
      else if (entry.name.endsWith('.md') && name !== 'README.md') (entry.isFile() ? files : irregular).push(name);
    }
  };
  walk(directory, '');
  return { files: files.sort(), irregular: irregular.sort() };
}

/** The regular signature files below `directory` (see {@link listSignatureEntries}). */
export function listSignatureFiles(directory: string): string[] {
  return listSignatureEntries(directory).files;
}

/** Big enough for any file the processor writes (at most SIGNATURE_FILE_MAX_BYTES characters). */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Reads a small file with one open, one read and one close into a reused buffer: a third less
 * than readFileSync, which also asks for the file's size first. A file that fills the buffer is
 * larger than any signature file can be, and the parser refuses it for its size from what was
 * read; the rest is never read (a committed file may be 100 MB, a file on disk far more).
 */
function readSmallFile(file: string, buffer: Buffer): string {
  const descriptor = openSync(file, 'r');
  let length: number;
  try {
    length = readSync(descriptor, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(descriptor);
  }
  return buffer.toString('utf8', 0, length);
}

/**
 * A helper thread that reads files (no parsing: plain JavaScript, so it needs no TypeScript
 * loader) and posts their bytes back in batches, in order. A file it cannot read whole (missing,
 * a folder, larger than the buffer) gets length -1 and is read again by the main thread, which
 * then behaves exactly as if it had read it first.
 */
const READER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { files, bufferBytes, batchSize } = workerData;
const scratch = Buffer.allocUnsafe(bufferBytes);
for (let start = 0; start < files.length; start += batchSize) {
  const end = Math.min(files.length, start + batchSize);
  const lengths = new Int32Array(end - start);
  const parts = [];
  for (let i = start; i < end; i += 1) {
    let length = -1;
    try {
      const descriptor = openSync(files[i], 'r');
      try { length = readSync(descriptor, scratch, 0, scratch.length, 0); } finally { closeSync(descriptor); }
      if (length >= scratch.length) length = -1;
    } catch { length = -1; }
    lengths[i - start] = length;
    if (length > 0) parts.push(Buffer.from(scratch.subarray(0, length)));
  }
  const bytes = Buffer.concat(parts);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  parentPort.postMessage({ lengths, bytes: copy }, [lengths.buffer, copy.buffer]);
}
`;

/** Below this many files a helper thread costs more to start than it saves. */
const PARALLEL_MIN_FILES = 4000;

/**
 * Reads `files` (absolute paths) on a helper thread; calls `onFile` with each one's text, in
 * order, as batches arrive. Opening, reading and closing is most of the cost of loading, so
 * the main thread parses its own share meanwhile.
 */
function readOnHelperThread(files: string[], onFile: (index: number, text: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(READER_SOURCE, {
      eval: true,
      execArgv: [],
      workerData: { files, bufferBytes: READ_BUFFER_BYTES, batchSize: 1000 },
    });
    let next = 0;
    let failed = false;
    const fallback = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    worker.on('message', ({ lengths, bytes }: { lengths: Int32Array; bytes: Uint8Array }) => {
      if (failed) return;
      try {
        const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        let offset = 0;
        for (const length of lengths) {
          const index = next++;
          if (length < 0) onFile(index, readSmallFile(files[index]!, fallback));
          else {
            onFile(index, buffer.toString('utf8', offset, offset + length));
            offset += length;
          }
        }
      } catch (error) {
        failed = true;
        void worker.terminate();
        reject(error);
      }
    });
    worker.on('error', (error) => {
      failed = true;
      reject(error);
    });
    worker.on('exit', () => {
      if (failed) return;
      if (next === files.length) resolve();
      else reject(new Error(`The signature reader stopped after ${next} of ${files.length} files.`));
    });
  });
}

/**
 * One copy of each repeated value: a million records name a few hundred countries and a few
 * letter versions, and a copy of a 64-character digest per record is 80 MB.
 */
export function interner(): (value: string) => string {
  const seen = new Map<string, string>();
  return (value) => {
    const known = seen.get(value);
    if (known !== undefined) return known;
    seen.set(value, value);
    return value;
  };
}

export interface LoadOptions {
  /** From how many files on, a helper thread reads part of them (default 4,000). */
  helperThreadFrom?: number;
  /** User ids whose files are left out (see {@link blockedAccountIds}). */
  blocked?: ReadonlySet<number>;
}

/**
 * Loads and checks every signature file below `directory` (see {@link listSignatureFiles}).
 * A missing folder means no signatures yet.
 */
export async function loadSignatures(directory: string, options: LoadOptions = {}): Promise<LoadedSignatures> {
  let files: string[];
  let irregular: string[];
  try {
    ({ files, irregular } = listSignatureEntries(directory));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
    throw error;
  }

  const parsed = new Array<ReturnType<typeof parseAnySignatureFile>>(files.length);
  const parse = (index: number, text: string) => (parsed[index] = parseAnySignatureFile(text, files[index]!));
  // Many files: a helper thread reads the last 55% while this one reads and parses the first 45%
  // (parsing is its extra share); then this one parses the helper's batches as they come.
  const own =
    files.length >= (options.helperThreadFrom ?? PARALLEL_MIN_FILES) ? Math.ceil(files.length * 0.45) : files.length;
  let helperError: unknown;
  const helper =
    own < files.length
      ? readOnHelperThread(
          files.slice(own).map((file) => path.join(directory, file)),
          (index, text) => parse(own + index, text),
        ).catch((error: unknown) => {
          helperError = error ?? new Error('The signature reader failed.');
        })
      : undefined;
  try {
    // Synchronous reads: for 100,000 small files they cost a third of fs/promises' open, fstat,
    // read and close round trips, and nothing else runs during a build's data loading anyway.
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    for (let index = 0; index < own; index += 1)
      parse(index, readSmallFile(path.join(directory, files[index]!), buffer));
  } finally {
    await helper;
  }
  if (helperError) throw helperError;

  const records: PetitionRecord[] = [];
  const skipped: SkippedSignatureFile[] = [];
  const intern = interner();
  parsed.forEach((result, index) => {
    if (result.ok) {
      result.record.country = intern(result.record.country);
      result.record.letter_sha256 = intern(result.record.letter_sha256);
    }
    if (!result.ok) skipped.push({ file: files[index]!, problem: result.problem });
    else if (!isOffline(result.record) && options.blocked?.has(result.record.user_id))
      skipped.push({ file: files[index]!, problem: `the account is blocked (${BLOCKED_ACCOUNTS_PATH})` });
    else records.push(result.record);
  });
  if (irregular.length > 0) {
    skipped.push(...irregular.map((file) => ({ file, problem: NOT_A_REGULAR_FILE })));
    skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  }
  return { records, skipped };
}
