/**
 * The site's build reading signatures through git, with a cache of signature files between
 * builds (PETITION_SIGNATURES=git; the Pages workflow keeps the cache with actions/cache).
 *
 * In the workflow's blobless clone every signature file would have to be fetched from GitHub at
 * each build (a million of them are a pack of hundreds of megabytes). The cache keeps each file's
 * text by its path and git blob id, so that only the files added or changed since are fetched.
 *
 * The cache is a speed-up, never a source of truth (issue #26): anything that runs in a job on
 * the default branch can save a cache entry the next build restores, so the cache is read as
 * hostile input. What the build publishes depends on the commit's tree alone:
 *
 * - the files are those `git ls-tree -r` lists for signatures/ at the commit built; a cached row
 *   for a path not in that tree is dropped, whatever the cache's header says;
 * - a cached row is used only when its blob id is the one the tree names AND its text hashes to
 *   that id (git's own object hash: "blob <size>\0<bytes>"), so the text is byte for byte the
 *   committed file; altering a record for a real blob would take a second preimage of SHA-1
 *   (or SHA-256 in a SHA-256 repository);
 * - every text, cached or read, goes through the same parser and checks as a file read from the
 *   folder (parseAnySignatureFile): the cache holds no parsed records to trust.
 *
 * Why texts and not parsed records with a keyed digest (HMAC): GitHub gives no secret to one step
 * only; a repository secret is readable by every workflow on the default branch, the very code
 * that could forge the cache, so an HMAC would stop only a forger who cannot read secrets (a job
 * whose token can write caches but which never sees the secret). Hashing the text needs no key
 * and stops everyone; it costs re-parsing every file at each build (measured in
 * docs/_incoming/issue-26.md, "Performance"), which the validation of cached rows would cost anyway.
 *
 * Rows the build rejects are counted and the first few named (inertly) in the build's log.
 * The result is the same set of records and skipped files that reading the folder gives
 * (test/site/incremental-build.test.ts builds both ways, with honest and forged caches, and
 * compares the sites byte for byte).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { BLOCKED_ACCOUNTS_PATH } from '../core/moderation.ts';
import { isOffline, parseAnySignatureFile, type PetitionRecord } from '../core/offline-signature.ts';
import { SIGNATURE_FILE_MAX_BYTES } from '../core/signature-file.ts';
import { interner, type LoadedSignatures, type SkippedSignatureFile } from './load-signatures.ts';
import { fetchBlobs, isPartialClone, runGit } from './signature-store.ts';

/** The cache's format: a header line, then one JSON array [path, blob id, text] a line. */
const CACHE_FORMAT = 'petition-blob-cache/2';
/** The fingerprint's own version: bump when what it covers changes. */
const RULES_FORMAT = 'petition-rules/2';

export interface GitLoadOptions {
  /** The repository's working tree (or a bare repository). */
  repository: string;
  /** The commit to read; the checked-out head by default. */
  ref?: string;
  /** The signatures folder inside the repository. */
  folder?: string;
  /** Where the signature files' texts are kept between builds; no cache when absent. */
  cacheFile?: string;
  /** User ids whose files are left out (blocked accounts); applied after the cache. */
  blocked?: ReadonlySet<number>;
  /** Extra environment for git (credentials to fetch missing blobs). */
  env?: NodeJS.ProcessEnv;
}

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

/** What the loader did, for the build's log and the benchmark. */
export interface GitLoadStats {
  /** The commit read. */
  commit: string;
  /** Files whose text came from the cache (checked against its blob id, then parsed). */
  reused: number;
  /** Files read through git and parsed. */
  read: number;
  /** Why the cache was not used at all, when it was not. */
  coldBecause?: string;
  /** Cached rows not used, by why. */
  rejected: CacheRejections;
}

/** A signature file's path inside the folder: every *.md but the folder's README.md, as listSignatureFiles reads. */
const isSignaturePath = (file: string) => file.endsWith('.md') && file !== 'README.md';

/**
 * A fingerprint of what decides how a text is judged: the core's code, the loaders, the locked
 * dependencies, `extraFiles` (relative to `projectRoot`), and the Unicode version and Node major
 * of this process (names are checked with Unicode properties, NFC and Intl.Segmenter, whose
 * answers change with Node's ICU). The processor keys its ledger of answered issues with it.
 */
export async function rulesFingerprint(projectRoot: string, extraFiles: readonly string[] = []): Promise<string> {
  const hash = createHash('sha256').update(RULES_FORMAT);
  hash.update(`\0unicode ${process.versions.unicode ?? ''}\0node ${process.versions.node.split('.')[0]}\0`);
  const core = (await readdir(path.join(projectRoot, 'scripts/core'))).filter((name) => name.endsWith('.ts')).sort();
  for (const file of [
    ...core.map((name) => `scripts/core/${name}`),
    'scripts/store/load-signatures.ts',
    'scripts/store/load-signatures-git.ts',
    'package-lock.json',
    ...extraFiles,
  ]) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.join(projectRoot, file)));
  }
  return hash.digest('hex');
}

/** The tree id of `folder` at `ref`, or undefined when the commit has no such folder. */
async function folderTree(options: GitLoadOptions, folder: string): Promise<string | undefined> {
  const out = await runGit(['ls-tree', '-z', options.ref ?? 'HEAD', '--', folder], options);
  const match = /^040000 tree ([0-9a-f]{40,64})\t/.exec(out.toString('utf8'));
  return match?.[1];
}

const REGULAR = new Set(['100644', '100755']);

/** The signature files of a tree, as flat lists (a million small objects cost more). */
interface TreeFiles {
  files: string[];
  blobs: string[];
  /** Not a regular file (a symbolic link or submodule): skipped, as it holds no signature. */
  irregular: boolean[];
}

/** Every signature file of a tree: the truth every cached row is compared with. */
async function listTree(options: GitLoadOptions, tree: string): Promise<TreeFiles> {
  const out = (await runGit(['ls-tree', '-r', '-z', tree], options)).toString('utf8');
  const listed: TreeFiles = { files: [], blobs: [], irregular: [] };
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, blob] = entry.slice(0, tab).split(' ');
    const file = entry.slice(tab + 1);
    if (type !== 'blob' || !isSignaturePath(file)) continue;
    listed.files.push(file);
    listed.blobs.push(blob!);
    listed.irregular.push(!REGULAR.has(mode!));
  }
  return listed;
}

/**
 * Reads blobs through `git cat-file --batch`, streaming: `onBlob` gets each one's index and
 * text, and nothing is held beyond the blob being read. Many blobs are read by two `cat-file`
 * processes over the two halves of the list: git's inflating then runs on the second core while
 * this thread parses (a million blobs through one took twice as long as reading a million files).
 * In a partial clone the missing blobs are fetched first in one request, as git does before a
 * checkout.
 */
async function readBlobs(
  options: GitLoadOptions,
  blobs: readonly string[],
  onBlob: (index: number, text: string) => void,
  fetchMissing: boolean,
): Promise<void> {
  const count = blobs.length;
  if (count === 0) return;
  if (fetchMissing) await fetchBlobs(options, `${blobs.join('\n')}\n`);
  const parts = count >= TWO_READERS_FROM ? 2 : 1;
  const reads: Promise<void>[] = [];
  for (let part = 0; part < parts; part += 1) {
    const start = Math.floor((part * count) / parts);
    const end = Math.floor(((part + 1) * count) / parts);
    reads.push(
      catFile(options, `${blobs.slice(start, end).join('\n')}\n`, end - start, (index, text) =>
        onBlob(start + index, text),
      ),
    );
  }
  await Promise.all(reads);
}

/** From this many blobs on, two `git cat-file` processes read them (a second process costs milliseconds). */
const TWO_READERS_FROM = 100;

/** One `git cat-file --batch` over `input` (blob ids, one a line), answers parsed as they stream in. */
function catFile(
  options: GitLoadOptions,
  input: string,
  count: number,
  onBlob: (index: number, text: string) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: options.repository,
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let pending: Buffer = Buffer.alloc(0);
    let next = 0;
    let errors = '';
    let failure: Error | undefined;
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      try {
        // Each answer: "<id> blob <size>\n<content>\n".
        while (next < count) {
          const headerEnd = pending.indexOf(0x0a, offset);
          if (headerEnd < 0) break;
          const header = pending.toString('latin1', offset, Math.min(headerEnd, offset + 200));
          const match = /^[0-9a-f]+ blob (\d{1,12})$/.exec(header);
          if (!match) throw new Error(`git cat-file gave no blob as answer ${next + 1}: ${header.slice(0, 100)}`);
          const end = headerEnd + 1 + Number(match[1]);
          if (end + 1 > pending.length) break;
          onBlob(next, pending.toString('utf8', headerEnd + 1, end));
          next += 1;
          offset = end + 1;
        }
      } catch (error) {
        failure = error as Error;
        child.kill();
        return;
      }
      pending = pending.subarray(offset);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (failure) reject(failure);
      else if (code !== 0 || next !== count)
        reject(new Error(`git cat-file read ${next} of ${count} blobs (exit ${code}): ${errors.trim()}`));
      else resolve();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * Fetches every blob of `commit` in one pack, as a clone would: a million "want" lines, one
 * per signature file, would be a request GitHub need not accept. The commit's blobs are
 * asked for again by claiming to have nothing (the noop negotiation).
 */
async function fetchAllBlobsOf(options: GitLoadOptions, commit: string): Promise<void> {
  await runGit(
    [
      '-c',
      'fetch.negotiationAlgorithm=noop',
      'fetch',
      'origin',
      '--no-tags',
      '--no-write-fetch-head',
      '--depth=1',
      '--filter=blob:limit=1g',
      commit,
    ],
    options,
  );
}

/** Above this many files to read, a partial clone fetches the commit's whole pack rather than each blob by id. */
const FETCH_BY_ID_UP_TO = 10_000;

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
async function forEachLine(
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

/**
 * Loads every signature of `folder` at `ref` through git, taking from the cache the texts of
 * the files that did not change, and updating the cache. Same records and skipped files as
 * {@link loadSignatures} on a checkout of that commit, whatever the cache holds.
 */
export async function loadSignaturesFromGit(
  options: GitLoadOptions,
): Promise<LoadedSignatures & { stats: GitLoadStats }> {
  const folder = options.folder ?? 'signatures';
  const intern = interner();
  const commit = (await runGit(['rev-parse', '--verify', `${options.ref ?? 'HEAD'}^{commit}`], options))
    .toString('utf8')
    .trim();
  const rejected: CacheRejections = { notInTree: 0, otherBlob: 0, altered: 0, malformed: 0, examples: [] };
  const tree = await folderTree(options, folder);
  if (tree === undefined) return { records: [], skipped: [], stats: { commit, reused: 0, read: 0, rejected } };
  const partial = await isPartialClone(options);
  const { files, blobs, irregular } = await listTree(options, tree);
  const count = files.length;
  const results = new Array<ReturnType<typeof parseAnySignatureFile> | undefined>(count);
  const reject = (kind: Exclude<keyof CacheRejections, 'examples'>, file: string | undefined, why: string) => {
    rejected[kind] += 1;
    // A forged path may be 4,096 characters: the log gets its start.
    if (rejected.examples.length < EXAMPLES)
      rejected.examples.push(
        file === undefined ? why : `${file.length > 120 ? `${file.slice(0, 119)}…` : file}: ${why}`,
      );
  };
  const accept = (index: number, text: string) => {
    const result = parseAnySignatureFile(text, files[index]!);
    if (result.ok) {
      result.record.country = intern(result.record.country);
      result.record.letter_sha256 = intern(result.record.letter_sha256);
    }
    results[index] = result;
  };
  for (let index = 0; index < count; index += 1)
    if (irregular[index]) results[index] = { ok: false, problem: 'not a regular file (a link or a submodule)' };

  // The new cache is written as the old one is read: the rows that passed, then the files read.
  const temporary = options.cacheFile ? `${options.cacheFile}.${process.pid}.tmp` : undefined;
  let out: ReturnType<typeof createWriteStream> | undefined;
  let writeError: Error | undefined;
  // Rows are gathered into chunks of a megabyte: a stream write per row cost more than the rows.
  let chunk = '';
  const write = (text: string) => {
    chunk += text;
    if (chunk.length >= 1 << 20 && out) {
      out.write(chunk);
      chunk = '';
    }
  };
  if (temporary) {
    await mkdir(path.dirname(temporary), { recursive: true });
    out = createWriteStream(temporary, { encoding: 'utf8' });
    out.on('error', (error) => (writeError ??= error));
    write(`${JSON.stringify({ format: CACHE_FORMAT, commit, tree })}\n`);
  }

  let reused = 0;
  let coldBecause: string | undefined;
  if (!options.cacheFile) coldBecause = 'no cache file was given';
  else {
    const where = new Map<string, number>();
    for (let index = 0; index < count; index += 1) if (!irregular[index]) where.set(files[index]!, index);
    let header = true;
    let rows = 0;
    // An honest cache has about one row per file; a forged one is read no further than this.
    const maxRows = 2 * count + 10_000;
    try {
      await forEachLine(options.cacheFile, MAX_ROW_CHARACTERS, (maxRows + 1) * 2048 + 64 * 1024 * 1024, (line) => {
        if (header) {
          header = false;
          let format: unknown;
          try {
            format = line === undefined ? undefined : (JSON.parse(line) as { format?: unknown })?.format;
          } catch {
            format = undefined;
          }
          if (format === CACHE_FORMAT) return true;
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
        else if (results[index] !== undefined) reject('malformed', file, 'a second row for the same path');
        else if (blobs[index] !== blob) reject('otherBlob', file, 'changed since');
        else if (gitBlobId(text, blob.length) !== blob)
          reject('altered', file, 'the text does not hash to its blob id');
        else {
          accept(index, text);
          reused += 1;
          write(`${line}\n`);
        }
        return true;
      });
      if (header) coldBecause = 'the cache is empty';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') coldBecause = 'no cache yet';
      else coldBecause = `the cache is unreadable (${(error as Error).message.slice(0, 200)})`;
    }
  }

  // Everything the cache did not give is read through git.
  const missing: number[] = [];
  for (let index = 0; index < count; index += 1) if (results[index] === undefined) missing.push(index);
  const missingBlobs = missing.map((index) => blobs[index]!);
  // In a partial clone: one pack of the commit when most is missing, the blobs by id when few are.
  const byId = partial && reused > 0 && missing.length <= FETCH_BY_ID_UP_TO;
  if (partial && !byId && missing.length > 0) await fetchAllBlobsOf(options, commit);
  await readBlobs(
    options,
    missingBlobs,
    (position, text) => {
      const index = missing[position]!;
      accept(index, text);
      // Text that is not valid UTF-8 (decoded with U+FFFD) would not hash back to its blob: not cached.
      if (out && text.length <= SIGNATURE_FILE_MAX_BYTES && !text.includes('\uFFFD'))
        write(`${JSON.stringify([files[index], blobs[index], text])}\n`);
    },
    byId,
  );
  const read = missing.length;
  missing.length = 0;
  missingBlobs.length = 0;

  if (out && temporary) {
    out.write(chunk);
    chunk = '';
    await new Promise<void>((resolve) => out.end(resolve));
    const changed =
      read > 0 ||
      coldBecause !== undefined ||
      rejected.notInTree + rejected.otherBlob + rejected.altered + rejected.malformed > 0;
    if (writeError || !changed) await rm(temporary, { force: true });
    else
      await rename(temporary, options.cacheFile!).catch(async (error: unknown) => {
        await rm(temporary, { force: true });
        throw error;
      });
    if (writeError) throw writeError;
  }

  // The site does not depend on the records' order (every list is sorted); skipped files are
  // warned about in path order, as the folder loader does.
  const records: PetitionRecord[] = [];
  const skipped: SkippedSignatureFile[] = [];
  for (let index = 0; index < count; index += 1) {
    const result = results[index]!;
    const file = files[index]!;
    if (!result.ok) skipped.push({ file, problem: result.problem });
    else if (!isOffline(result.record) && options.blocked?.has(result.record.user_id))
      skipped.push({ file, problem: `the account is blocked (${BLOCKED_ACCOUNTS_PATH})` });
    else records.push(result.record);
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    records,
    skipped,
    stats: { commit, reused, read, ...(coldBecause ? { coldBecause } : {}), rejected },
  };
}
