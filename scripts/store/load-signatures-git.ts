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
 * The reading of the tree and the blobs is in load-signatures-git-tree.ts; the cache's format and
 * its checks in load-signatures-git-cache.ts, its writing in load-signatures-git-cache-writer.ts.
 *
 * Rows the build rejects are counted and the first few named (inertly) in the build's log.
 * The result is the same set of records and skipped files that reading the folder gives
 * (test/site/incremental-build.test.ts builds both ways, with honest and forged caches, and
 * compares the sites byte for byte).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { BLOCKED_ACCOUNTS_PATH } from '../core/moderation.ts';
import { isOffline, parseAnySignatureFile, type PetitionRecord } from '../core/offline-signature.ts';
import { anyRejected, noRejections, readCache, type CacheRejections } from './load-signatures-git-cache.ts';
import { cacheWriter } from './load-signatures-git-cache-writer.ts';
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

/** A file's record, or (a string) why it was skipped: no wrapper object per file, a million of them at scale. */
type ParseResult = PetitionRecord | string;

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
  const rejected = noRejections();
  const tree = await folderTree(options, options.ref ?? 'HEAD', folder);
  if (tree === undefined) return { records: [], skipped: [], stats: { commit, reused: 0, read: 0, rejected } };
  const partial = await isPartialClone(options);
  const { files, blobs, irregular } = await listTree(options, tree);
  const count = files.length;
  const results = new Array<ParseResult | undefined>(count);
  // Every text, cached or read, is decoded from git's bytes the same way and parsed by the same rules.
  const accept = (index: number, bytes: Buffer, start: number, end: number) => {
    const result = parseAnySignatureFile(bytes.toString('utf8', start, end), files[index]!);
    if (result.ok) {
      result.record.country = intern(result.record.country);
      result.record.letter_sha256 = intern(result.record.letter_sha256);
    }
    results[index] = result.ok ? result.record : result.problem;
  };
  for (let index = 0; index < count; index += 1) if (irregular[index]) results[index] = NOT_A_REGULAR_FILE;

  // The new cache is written as the old one is read: the rows that passed, then the files read.
  const cache = options.cacheFile ? await cacheWriter(options.cacheFile, commit, tree, count) : undefined;
  let reused = 0;
  const coldBecause = options.cacheFile
    ? await readCache(options.cacheFile, {
        commit,
        files,
        blobs,
        irregular,
        rejected,
        has: (index) => results[index] !== undefined,
        use: (index, row) => {
          accept(index, row.buffer, row.textStart, row.rowEnd - 1);
          reused += 1;
          cache?.copy(index, row);
        },
      })
    : 'no cache file was given';

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
    (position, bytes) => {
      const index = missing[position]!;
      accept(index, bytes, 0, bytes.length);
      cache?.writeRead(index, files[index]!, blobs[index]!, bytes);
    },
    byId,
  );
  const read = missing.length;
  missing.length = 0;
  missingBlobs.length = 0;
  await cache?.finish(read > 0 || coldBecause !== undefined || anyRejected(rejected));

  return {
    ...sortedResults(files, results as ParseResult[], options.blocked),
    stats: { commit, reused, read, ...(coldBecause ? { coldBecause } : {}), rejected },
  };
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
