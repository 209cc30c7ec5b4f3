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
 * Parsed records are taken as they are only from our own builds' records (`trusted`,
 * load-signatures-git-trusted.ts): a file only our own workflows' runs write, chosen by
 * scripts/github/trusted-records.ts, never the Actions cache. When they serve a build, the cache is
 * neither read nor kept.
 *
 * The reading of the tree and the blobs is in load-signatures-git-tree.ts; the cache's format and
 * its checks in load-signatures-git-cache.ts, its writing in load-signatures-git-cache-writer.ts.
 *
 * Rows the build rejects are counted and the first few named (inertly) in the build's log.
 * The result is the same set of records and skipped files that reading the folder gives
 * (test/site/incremental-build.test.ts builds both ways, with honest and forged caches, and
 * compares the sites byte for byte).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { BLOCKED_ACCOUNTS_PATH } from '../core/moderation.ts';
import { isOffline, parseAnySignatureFile, type PetitionRecord } from '../core/offline-signature.ts';
import {
  anyRejected,
  noRejections,
  readCache,
  type CacheRejections,
  type CacheRow,
  type RowFormat,
} from './load-signatures-git-cache.ts';
import { cacheWriter, type CacheWriter } from './load-signatures-git-cache-writer.ts';
import { decodeResult, encodeResult, trustedHeader, trustedRows } from './load-signatures-git-trusted.ts';
import { FETCH_BY_ID_UP_TO, fetchAllBlobsOf, folderTree, listTree, readBlobs } from './load-signatures-git-tree.ts';
import { interner, NOT_A_REGULAR_FILE, type LoadedSignatures, type SkippedSignatureFile } from './load-signatures.ts';
import { isPartialClone, runGit } from './signature-store.ts';

export type { CacheRejections } from './load-signatures-git-cache.ts';
export { gitBlobId } from './load-signatures-git-cache.ts';

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
  /**
   * Our own builds' records (load-signatures-git-trusted.ts): read if the file is there and was
   * parsed by `rules` (rulesFingerprint), then rewritten for this commit. Only a file our own
   * workflows wrote may be given (scripts/github/trusted-records.ts chooses it).
   */
  trusted?: { file: string; rules: string };
  /** User ids whose files are left out (blocked accounts); applied after the cache. */
  blocked?: ReadonlySet<number>;
  /** Extra environment for git (credentials to fetch missing blobs). */
  env?: NodeJS.ProcessEnv;
}

/** What the loader did, for the build's log and the benchmark. */
export interface GitLoadStats {
  /** The commit read. */
  commit: string;
  /** Files whose text came from the cache (checked against its blob id, then parsed). */
  reused: number;
  /** Files whose result came from our own builds' records, and why they gave none when they did not. */
  trusted: number;
  trustedColdBecause?: string;
  /** Files read through git and parsed. */
  read: number;
  /** Why the cache was not used at all, when it was not. */
  coldBecause?: string;
  /** Cached rows not used, by why. */
  rejected: CacheRejections;
}

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
    'scripts/store/load-signatures-git-cache.ts',
    'scripts/store/load-signatures-git-tree.ts',
    'package-lock.json',
    ...extraFiles,
  ]) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(path.join(projectRoot, file)));
  }
  return hash.digest('hex');
}

/** Besides what rulesFingerprint covers: the code that writes and reads our builds' records. */
const TRUSTED_RULES_FILES = [
  'scripts/store/load-signatures-git-trusted.ts',
  'scripts/store/load-signatures-git-cache-writer.ts',
];

/** The rules our builds' records are parsed by and named with (load-signatures-git-trusted.ts). */
export function trustedRulesFingerprint(projectRoot: string): Promise<string> {
  return rulesFingerprint(projectRoot, TRUSTED_RULES_FILES);
}

/** A file's record, or (a string) why it was skipped: no wrapper object per file, a million of them at scale. */
type ParseResult = PetitionRecord | string;

/** The tree being read and what is known of each of its files so far. */
interface Reading {
  commit: string;
  tree: string;
  files: readonly string[];
  blobs: readonly string[];
  irregular: readonly boolean[];
  results: Array<ParseResult | undefined>;
  intern: (text: string) => string;
}

/**
 * Loads every signature of `folder` at `ref` through git, taking the results our own builds kept
 * (`trusted`), then the texts of the cache, for the files that did not change, and updating both.
 * Same records and skipped files as {@link loadSignatures} on a checkout of that commit, whatever
 * the cache holds.
 */
export async function loadSignaturesFromGit(
  options: GitLoadOptions,
): Promise<LoadedSignatures & { stats: GitLoadStats }> {
  const folder = options.folder ?? 'signatures';
  const commit = (await runGit(['rev-parse', '--verify', `${options.ref ?? 'HEAD'}^{commit}`], options))
    .toString('utf8')
    .trim();
  const rejected = noRejections();
  const tree = await folderTree(options, options.ref ?? 'HEAD', folder);
  if (tree === undefined)
    return { records: [], skipped: [], stats: { commit, reused: 0, trusted: 0, read: 0, rejected } };
  const listed = await listTree(options, tree);
  const count = listed.files.length;
  const reading: Reading = { commit, tree, ...listed, results: new Array(count), intern: interner() };
  for (let index = 0; index < count; index += 1)
    if (listed.irregular[index]) reading.results[index] = NOT_A_REGULAR_FILE;

  const store = options.trusted ? await storeRecords(options.trusted, reading) : undefined;
  // The cache only for a build our records did not serve: when they did, what they lack is new
  // since and few, and reading a cache of every file would cost more than fetching those. The
  // cache of an older commit is then removed rather than left to be saved again under this one
  // (300 MB at a million); the workflow's next restore finds the newest entry saved before.
  // Records that kept nothing are written once every file is parsed, in the tree's order: as the
  // files come (the cache's order, then git's pack) they would have to be put in order after,
  // through bucket files (at a million, 4 s and 100 MB more in the first build).
  const storeAsRead = store?.used ? store.writer : undefined;
  const cached =
    options.cacheFile && !store?.used ? await cacheTexts(options.cacheFile, reading, rejected, storeAsRead) : undefined;
  if (options.cacheFile && store?.used) await rm(options.cacheFile, { force: true });
  const read = await readMissing(options, reading, (cached?.used ?? 0) + (store?.used ?? 0) > 0, [
    cached?.writer,
    storeAsRead,
  ]);
  await cached?.writer.finish(read > 0 || cached.coldBecause !== undefined || anyRejected(rejected));
  if (store && !store.used) {
    await store.writer.finish(false);
    store.writer = await storeWriter(options.trusted!, reading, true);
    writeInTreeOrder(store.writer, reading);
  }
  await store?.writer.finish(read > 0 || store.coldBecause !== undefined || anyRejected(store.rejected));

  const coldBecause = options.cacheFile ? (store?.used ? undefined : cached?.coldBecause) : 'no cache file was given';
  return {
    ...sortedResults(reading.files, reading.results as ParseResult[], options.blocked),
    stats: {
      commit,
      reused: cached?.used ?? 0,
      trusted: store?.used ?? 0,
      read,
      ...(coldBecause ? { coldBecause } : {}),
      ...(store?.coldBecause ? { trustedColdBecause: store.coldBecause } : {}),
      rejected,
    },
  };
}

/** What one kept file gave: how many files, why none when none, and the new file being written. */
interface KeptFile {
  used: number;
  coldBecause: string | undefined;
  rejected: CacheRejections;
  writer: CacheWriter & { writeResult?: (index: number, result: ParseResult) => void };
}

/** Interns the strings a million records share, so that each is held once. */
function interned(reading: Reading, result: ParseResult): ParseResult {
  if (typeof result === 'string') return result;
  result.country = reading.intern(result.country);
  result.letter_sha256 = reading.intern(result.letter_sha256);
  return result;
}

/**
 * Reads a kept file's rows into `reading`: `take` makes a row the file's result (false: not taken,
 * the file is read through git), and each row taken is copied into the new file `writer` writes.
 */
async function readKeptRows(
  file: string,
  reading: Reading,
  kept: { rejected: CacheRejections; writer: CacheWriter; format?: RowFormat },
  take: (index: number, row: CacheRow) => boolean,
): Promise<{ used: number; coldBecause: string | undefined }> {
  const { commit, files, blobs, irregular, results } = reading;
  let used = 0;
  const reader = {
    ...{ commit, files, blobs, irregular, rejected: kept.rejected },
    has: (index: number) => results[index] !== undefined,
    use: (index: number, row: CacheRow) => {
      if (!take(index, row)) return;
      used += 1;
      kept.writer.copy(index, row);
    },
  };
  const coldBecause = await readCache(file, reader, kept.format);
  return { used, coldBecause };
}

/** The next file of our builds' results, whose rows come `inTreeOrder` or not. */
async function storeWriter(
  trusted: { file: string; rules: string },
  reading: Reading,
  inTreeOrder: boolean,
): Promise<KeptFile['writer']> {
  const { commit, tree, files, blobs } = reading;
  const writer = await cacheWriter(trusted.file, commit, tree, files.length, trustedHeader(trusted.rules), inTreeOrder);
  const writeResult = (index: number, result: ParseResult) =>
    writer.writeRead(index, files[index]!, blobs[index]!, encodeResult(result), 'json');
  return { ...writer, writeResult };
}

/** Takes our own builds' results (load-signatures-git-trusted.ts) and starts their next file. */
async function storeRecords(trusted: { file: string; rules: string }, reading: Reading): Promise<KeptFile> {
  const writer = await storeWriter(trusted, reading, false);
  const rejected = noRejections();
  const { used, coldBecause } = await readKeptRows(
    trusted.file,
    reading,
    { rejected, writer, format: trustedRows(trusted.rules) },
    (index, row) => {
      const result = decodeResult(row);
      if (result !== undefined) reading.results[index] = interned(reading, result);
      return result !== undefined;
    },
  );
  return { used, coldBecause, rejected, writer };
}

/** Every file's result, in the tree's order (a link or other irregular entry has no row). */
function writeInTreeOrder(writer: KeptFile['writer'], reading: Reading): void {
  const { results, irregular } = reading;
  for (let index = 0; index < results.length; index += 1)
    if (!irregular[index] && results[index] !== undefined) writer.writeResult?.(index, results[index]!);
}

/** Every text, cached or read, is decoded from git's bytes the same way and parsed by the same rules. */
function accept(reading: Reading, index: number, bytes: Buffer, start: number, end: number): ParseResult {
  const result = parseAnySignatureFile(bytes.toString('utf8', start, end), reading.files[index]!);
  return (reading.results[index] = interned(reading, result.ok ? result.record : result.problem));
}

/** Takes the record cache's texts (each checked against its blob id, then parsed) and starts its next file. */
async function cacheTexts(
  cacheFile: string,
  reading: Reading,
  rejected: CacheRejections,
  store: KeptFile['writer'] | undefined,
): Promise<KeptFile> {
  const { commit, tree, files } = reading;
  // The new cache is written as the old one is read: the rows that passed, then the files read.
  const writer = await cacheWriter(cacheFile, commit, tree, files.length);
  const { used, coldBecause } = await readKeptRows(cacheFile, reading, { rejected, writer }, (index, row) => {
    // Parsed first: `store?.writeResult?.(…)` would not evaluate its arguments without a store.
    const result = accept(reading, index, row.buffer, row.textStart, row.rowEnd - 1);
    store?.writeResult?.(index, result);
    return true;
  });
  return { used, coldBecause, rejected, writer };
}

/**
 * Reads through git every file nothing kept gave, and adds each to the new kept files. In a
 * partial clone: one pack of the commit when most is missing, the blobs by id when few are.
 */
async function readMissing(
  options: GitLoadOptions,
  reading: Reading,
  anyKept: boolean,
  writers: ReadonlyArray<KeptFile['writer'] | undefined>,
): Promise<number> {
  const { commit, files, blobs, results } = reading;
  const missing: number[] = [];
  for (let index = 0; index < files.length; index += 1) if (results[index] === undefined) missing.push(index);
  const partial = await isPartialClone(options);
  const byId = partial && anyKept && missing.length <= FETCH_BY_ID_UP_TO;
  if (partial && !byId && missing.length > 0) await fetchAllBlobsOf(options, commit);
  const [cache, store] = writers;
  await readBlobs(
    options,
    missing.map((index) => blobs[index]!),
    (position, bytes) => {
      const index = missing[position]!;
      const result = accept(reading, index, bytes, 0, bytes.length);
      cache?.writeRead(index, files[index]!, blobs[index]!, bytes);
      store?.writeResult?.(index, result);
    },
    byId,
  );
  return missing.length;
}

/**
 * The records and skipped files of a tree's parsed files. The site does not depend on the records'
 * order (every list is sorted); skipped files are warned about in path order, as the folder loader
 * does.
 */
function sortedResults(
  files: readonly string[],
  results: readonly ParseResult[],
  blocked: ReadonlySet<number> | undefined,
): LoadedSignatures {
  const records: PetitionRecord[] = [];
  const skipped: SkippedSignatureFile[] = [];
  for (let index = 0; index < files.length; index += 1) {
    const result = results[index]!;
    const file = files[index]!;
    if (typeof result === 'string') skipped.push({ file, problem: result });
    else if (!isOffline(result) && blocked?.has(result.user_id))
      skipped.push({ file, problem: `the account is blocked (${BLOCKED_ACCOUNTS_PATH})` });
    else records.push(result);
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { records, skipped };
}
