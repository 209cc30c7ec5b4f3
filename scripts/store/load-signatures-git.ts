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
 * The reading of the tree and the blobs is in load-signatures-git-tree.ts; the cache's format, its
 * checks and its writing in load-signatures-git-cache.ts.
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
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import {
  anyRejected,
  cacheWriter,
  noRejections,
  noteRejection,
  readCache,
  type CacheRejections,
  type CacheWriter,
} from './load-signatures-git-cache.ts';
import { ALTERED } from './parse-batch.ts';
import { parsePool, type OnOutcome, type ParsePool } from './parse-helper.ts';
import {
  FETCH_BY_ID_UP_TO,
  fetchAllBlobsOf,
  folderTree,
  listTree,
  readBlobs,
  type TreeFiles,
} from './load-signatures-git-tree.ts';
import { interner, type LoadedSignatures, type SkippedSignatureFile } from './load-signatures.ts';
import { isPartialClone, runGit, type GitOptions } from './signature-store.ts';

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
  /** From how many signature files on a helper thread parses part of the cached ones (default 50,000). */
  helperThreadFrom?: number;
}

/** What the loader did, for the build's log and the benchmark. */
export interface GitLoadStats {
  /** The commit read. */
  commit: string;
  /** Files whose text came from the cache (checked against its blob id, then parsed). */
  reused: number;
  /** Files read through git and parsed. */
  read: number;
  /** Of the files reused, how many a helper thread parsed (scripts/store/parse-helper.ts). */
  helperParsed: number;
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

/** A cached text handed to the parse pool, its outcome not in yet. */
const PENDING = Symbol('pending');

/** Below this many files a helper thread costs more to start (a third of a second) than it saves. */
const HELPER_THREAD_FROM = 50_000;

/**
 * Loads every signature of `folder` at `ref` through git, taking from the cache the texts of
 * the files that did not change, and updating the cache. Same records and skipped files as
 * {@link loadSignatures} on a checkout of that commit, whatever the cache holds.
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
    return { records: [], skipped: [], stats: { commit, reused: 0, read: 0, helperParsed: 0, rejected } };
  const partial = await isPartialClone(options);
  const { files, blobs, irregular } = await listTree(options, tree);
  const count = files.length;
  const results = new Array<ParseResult | typeof PENDING | undefined>(count);
  for (let index = 0; index < count; index += 1)
    if (irregular[index]) results[index] = 'not a regular file (a link or a submodule)';

  // The new cache is written as texts pass: the cached rows whose object hashed to their blob id, then the files read.
  const cache = options.cacheFile ? await cacheWriter(options.cacheFile, commit, tree) : undefined;
  // Every text, cached or read, is decoded from git's bytes the same way and parsed by the same
  // rules, on this thread or the helper's (scripts/store/parse-helper.ts).
  const onOutcome = outcomeRecorder(results, { files, blobs }, rejected, cache);
  // A helper thread parses cached rows beside this one. Not the files git reads: two `git cat-file`
  // processes already keep the second core busy then, and a thread would only add its memory.
  const cachePool = parsePool(onOutcome, count >= (options.helperThreadFrom ?? HELPER_THREAD_FROM));
  try {
    let handedIn = 0;
    const coldBecause = options.cacheFile
      ? await readCache(options.cacheFile, {
          commit,
          files,
          blobs,
          irregular,
          rejected,
          has: (index) => results[index] !== undefined,
          use: (index, row) => {
            results[index] = PENDING;
            handedIn += 1;
            cachePool.add(index, row.file, row.buffer, row, row.blob);
          },
        })
      : 'no cache file was given';
    await cachePool.drain();
    await cachePool.close();
    const reused = handedIn - rejected.altered;

    // Everything the cache did not give is read through git.
    const missing: number[] = [];
    for (let index = 0; index < count; index += 1) if (results[index] === undefined) missing.push(index);
    // In a partial clone: one pack of the commit when most is missing, the blobs by id when few are.
    const byId = partial && reused > 0 && missing.length <= FETCH_BY_ID_UP_TO;
    if (partial && !byId && missing.length > 0) await fetchAllBlobsOf(options, commit);
    await readMissing(options, { files, blobs }, missing, parsePool(onOutcome, false), byId);
    const read = missing.length;
    await cache?.finish(read > 0 || coldBecause !== undefined || anyRejected(rejected));
    return {
      ...sortedResults(files, results as ParseResult[], options.blocked),
      stats: {
        commit,
        reused,
        read,
        helperParsed: cachePool.helped(),
        ...(coldBecause ? { coldBecause } : {}),
        rejected,
      },
    };
  } finally {
    await cachePool.close();
  }
}

/**
 * Where the parse pools' outcomes go: each file's record (its country and letter digest shared
 * with the records before it) or problem into `results`, and its text into the new cache; a cached
 * text that does not hash to its blob id is counted as altered and left to be read through git.
 */
function outcomeRecorder(
  results: Array<ParseResult | typeof PENDING | undefined>,
  { files, blobs }: Pick<TreeFiles, 'files' | 'blobs'>,
  rejected: CacheRejections,
  cache: CacheWriter | undefined,
): OnOutcome {
  const intern = interner();
  return (index, outcome, bytes, place) => {
    if (outcome === ALTERED) {
      results[index] = undefined;
      noteRejection(rejected, 'altered', files[index], 'the text does not hash to its blob id');
      return;
    }
    if (typeof outcome === 'object') {
      outcome.country = intern(outcome.country);
      outcome.letter_sha256 = intern(outcome.letter_sha256);
    }
    results[index] = outcome;
    if (place.rowStart >= 0) cache?.copyRow(bytes.subarray(place.rowStart, place.textEnd + 1));
    else cache?.writeRead(files[index]!, blobs[index]!, bytes.subarray(place.textStart, place.textEnd));
  };
}

/** Reads the files at `missing` through git into `pool`, and waits for their outcomes. */
async function readMissing(
  options: GitOptions,
  { files, blobs }: Pick<TreeFiles, 'files' | 'blobs'>,
  missing: readonly number[],
  pool: ParsePool,
  byId: boolean,
): Promise<void> {
  await readBlobs(
    options,
    missing.map((index) => blobs[index]!),
    (position, bytes) => {
      const index = missing[position]!;
      const place = { rowStart: -1, objectStart: -1, textStart: 0, textEnd: bytes.length };
      pool.add(index, files[index]!, bytes, place, blobs[index]!);
    },
    byId,
  );
  await pool.drain();
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
