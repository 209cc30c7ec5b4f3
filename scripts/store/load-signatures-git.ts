/**
 * The site's build reading signatures through git, with a cache of parsed records between
 * builds (PETITION_SIGNATURES=git; the Pages workflow keeps the cache with actions/cache).
 *
 * A build of 1,000,000 signatures spends about 15 s opening and reading files, most of which did
 * not change since the last build. Git already knows what changed: the cache remembers the tree
 * of signatures/ it was made from, `git diff-tree` between that tree and today's lists the files
 * added, changed or deleted (comparing only the subtrees whose ids differ), and only those blobs
 * are read, in one `git cat-file --batch`. Without a usable cache every blob is read that way,
 * which also needs no checkout of signatures/ (the workflow's clone is blobless and sparse).
 *
 * The result is the same set of records and skipped files that reading the folder gives
 * (test/site/incremental-build.test.ts builds both ways and compares the sites byte for byte).
 * The cache is trusted only when it was written by the same rules: its `rules` fingerprint
 * covers the parsing and checking code and the locked dependencies.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BLOCKED_ACCOUNTS_PATH } from '../core/moderation.ts';
import {
  isOffline,
  parseAnySignatureFile,
  type OfflineSignatureRecord,
  type PetitionRecord,
} from '../core/offline-signature.ts';
import { signatureRelativePath, userIdFromRelativePath, type SignatureRecord } from '../core/signature-file.ts';
import { offlineRelativePath } from '../core/offline-signature.ts';
import { interner, type LoadedSignatures, type SkippedSignatureFile } from './load-signatures.ts';
import { fetchBlobs, isPartialClone, runGit } from './signature-store.ts';

const CACHE_FORMAT = 'petition-record-cache/1';

export interface GitLoadOptions {
  /** The repository's working tree (or a bare repository). */
  repository: string;
  /** The commit to read; the checked-out head by default. */
  ref?: string;
  /** The signatures folder inside the repository. */
  folder?: string;
  /** Where the parsed records are kept between builds; no cache when absent. */
  cacheFile?: string;
  /** Fingerprint of the rules that parse and check a file (see {@link rulesFingerprint}). */
  rules: string;
  /** User ids whose files are left out (blocked accounts); applied after the cache. */
  blocked?: ReadonlySet<number>;
  /** Extra environment for git (credentials to fetch missing blobs). */
  env?: NodeJS.ProcessEnv;
}

/** What the loader did, for the build's log and the benchmark. */
export interface GitLoadStats {
  /** Files whose parsed record came from the cache. */
  reused: number;
  /** Files read through git and parsed. */
  read: number;
  /** Why the cache was not used, when it was not. */
  coldBecause?: string;
}

/** A file's parse result, as the cache holds it. */
type Entry = { ok: true; record: PetitionRecord } | { ok: false; file: string; problem: string };

/**
 * Every file's parse result: GitHub signatures by user id (a number: a million of them cost far
 * less as keys than their paths would), everything else (paper and email signatures, skipped
 * files) by path.
 */
class Entries {
  readonly github = new Map<number, SignatureRecord>();
  readonly other = new Map<string, Entry>();
  get size() {
    return this.github.size + this.other.size;
  }
  set(file: string, entry: Entry) {
    if (entry.ok && !isOffline(entry.record)) this.github.set(entry.record.user_id, entry.record);
    else this.other.set(file, entry);
  }
  delete(file: string) {
    const id = userIdFromRelativePath(file);
    if (id !== undefined) this.github.delete(id);
    this.other.delete(file);
  }
}

/** A signature file's path inside the folder: every *.md but the folder's README.md, as listSignatureFiles reads. */
const isSignaturePath = (file: string) => file.endsWith('.md') && file !== 'README.md';

/**
 * A fingerprint of the code and locked dependencies that decide what a file parses to: a cache
 * written under other rules is not used. `files` are read relative to `projectRoot`.
 */
export async function rulesFingerprint(projectRoot: string): Promise<string> {
  const hash = createHash('sha256').update(CACHE_FORMAT);
  const core = (await readdir(path.join(projectRoot, 'scripts/core'))).filter((name) => name.endsWith('.ts')).sort();
  for (const file of [
    ...core.map((name) => `scripts/core/${name}`),
    'scripts/store/load-signatures.ts',
    'scripts/store/load-signatures-git.ts',
    'package-lock.json',
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

/** A change to one file of the folder: its new blob, or undefined when it was deleted. */
interface Change {
  file: string;
  blob: string | undefined;
  /** Not a regular file (a symbolic link or submodule): skipped, as it holds no signature. */
  irregular: boolean;
}

const REGULAR = new Set(['100644', '100755']);

/** Every file of a tree, as additions. */
async function listTree(options: GitLoadOptions, tree: string): Promise<Change[]> {
  const out = (await runGit(['ls-tree', '-r', '-z', tree], options)).toString('utf8');
  const changes: Change[] = [];
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, blob] = entry.slice(0, tab).split(' ');
    const file = entry.slice(tab + 1);
    if (type !== 'blob' || !isSignaturePath(file)) continue;
    changes.push({ file, blob, irregular: !REGULAR.has(mode!) });
  }
  return changes;
}

/** What changed between two trees of the folder (git diff-tree compares only subtrees that differ). */
async function diffTrees(options: GitLoadOptions, from: string, to: string): Promise<Change[]> {
  const parts = (await runGit(['diff-tree', '-r', '-z', '--no-renames', from, to], options))
    .toString('utf8')
    .split('\0');
  const changes: Change[] = [];
  // Each change: ":<old mode> <new mode> <old id> <new id> <status>" then the path.
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const [, newMode, , newBlob, status] = parts[i]!.slice(1).split(' ');
    const file = parts[i + 1]!;
    if (!isSignaturePath(file)) continue;
    const deleted = status === 'D' || newMode === '000000';
    changes.push({ file, blob: deleted ? undefined : newBlob, irregular: !deleted && !REGULAR.has(newMode!) });
  }
  return changes;
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

/** The cache file's first line. */
interface CacheHeader {
  format: string;
  rules: string;
  /** The commit and the tree of the signatures folder the cache was made from. */
  commit: string;
  tree: string;
  letters: string[];
}

/**
 * In a partial, shallow clone the cached commit's trees are not there: fetches that commit
 * with its trees and no blobs (a few megabytes at a million signatures) so that git diff-tree
 * can compare. False when origin no longer has it (history rewritten).
 */
async function fetchTreesOf(options: GitLoadOptions, commit: string): Promise<boolean> {
  return runGit(
    ['fetch', 'origin', '--no-tags', '--no-write-fetch-head', '--depth=1', '--filter=blob:none', commit],
    options,
  ).then(
    () => true,
    () => false,
  );
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

/**
 * Reads the cache line by line (a million records as one JSON text would need twice their size
 * in memory at once). Returns undefined, with the reason, when it is missing or not for these rules.
 */
async function readCache(
  file: string,
  rules: string,
  intern: (value: string) => string,
): Promise<{ commit: string; tree: string; entries: Entries } | { missing: string }> {
  let lines: ReturnType<typeof createInterface>;
  try {
    const handle = await open(file, 'r');
    lines = createInterface({ input: handle.createReadStream({ encoding: 'utf8' }), crlfDelay: Infinity });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { missing: 'no cache yet' };
    throw error;
  }
  let header: CacheHeader | undefined;
  const entries = new Entries();
  try {
    for await (const line of lines) {
      if (!header) {
        header = JSON.parse(line) as CacheHeader;
        if (header.format !== CACHE_FORMAT) return { missing: `the cache is of another format (${header.format})` };
        if (header.rules !== rules)
          return { missing: 'the cache was made by other rules (code or dependencies changed)' };
        continue;
      }
      const row = JSON.parse(line) as unknown[];
      if (row[0] === 0) {
        const [, user_id, name, country, login, issue, signed_at, letter, reason] = row as [
          0,
          number,
          string,
          string,
          string,
          number,
          string,
          number,
          string,
        ];
        const record: SignatureRecord = {
          name,
          country: intern(country),
          login,
          user_id,
          issue,
          signed_at,
          letter_sha256: header.letters[letter]!,
          reason,
        };
        entries.github.set(user_id, record);
      } else if (row[0] === 1) {
        const record = row[1] as OfflineSignatureRecord;
        entries.other.set(offlineRelativePath(record.id), { ok: true, record });
      } else {
        const [, file, problem] = row as [2, string, string];
        entries.other.set(file, { ok: false, file, problem });
      }
    }
  } catch (error) {
    return { missing: `the cache is unreadable (${(error as Error).message.slice(0, 200)})` };
  } finally {
    lines.close();
  }
  if (!header) return { missing: 'the cache is empty' };
  return { commit: header.commit, tree: header.tree, entries };
}

/** Writes the cache beside its final name and renames it: a build stopped halfway leaves the old one whole. */
async function writeCache(file: string, rules: string, commit: string, tree: string, entries: Entries): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const letters = new Map<string, number>();
  for (const record of entries.github.values())
    if (!letters.has(record.letter_sha256)) letters.set(record.letter_sha256, letters.size);
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  const json = JSON.stringify;
  try {
    const header: CacheHeader = { format: CACHE_FORMAT, rules, commit, tree, letters: [...letters.keys()] };
    let chunk = `${json(header)}\n`;
    const flush = async () => {
      if (chunk.length < 1 << 20) return;
      await handle.write(chunk);
      chunk = '';
    };
    // Written out rather than JSON.stringify of an array per record: a third of the time.
    for (const r of entries.github.values()) {
      chunk += `[0,${r.user_id},${json(r.name)},"${r.country}","${r.login}",${r.issue},"${r.signed_at}",${letters.get(r.letter_sha256)},${json(r.reason)}]\n`;
      await flush();
    }
    for (const entry of entries.other.values()) {
      chunk += entry.ok ? `${json([1, entry.record])}\n` : `${json([2, entry.file, entry.problem])}\n`;
      await flush();
    }
    await handle.write(chunk);
  } finally {
    await handle.close();
  }
  await rename(temporary, file).catch(async (error: unknown) => {
    await rm(temporary, { force: true });
    throw error;
  });
}

/**
 * Loads every signature of `folder` at `ref` through git, reusing the cache's records for the
 * files that did not change and updating the cache. Same records and skipped files as
 * {@link loadSignatures} on a checkout of that commit, in path order.
 */
export async function loadSignaturesFromGit(
  options: GitLoadOptions,
): Promise<LoadedSignatures & { stats: GitLoadStats }> {
  const folder = options.folder ?? 'signatures';
  const intern = interner();
  const commit = (await runGit(['rev-parse', '--verify', `${options.ref ?? 'HEAD'}^{commit}`], options))
    .toString('utf8')
    .trim();
  const tree = await folderTree(options, folder);
  const partial = await isPartialClone(options);
  const cache = options.cacheFile
    ? await readCache(options.cacheFile, options.rules, intern)
    : { missing: 'no cache file was given' };
  let entries = new Entries();
  let changes: Change[] | undefined;
  let coldBecause: string | undefined;
  if (!('entries' in cache)) coldBecause = cache.missing;
  else if (tree === undefined || cache.tree === tree) {
    // No folder any more means every file was deleted; the same tree, that none changed.
    if (tree !== undefined) entries = cache.entries;
    changes = [];
  } else if (partial && !(await fetchTreesOf(options, cache.commit)))
    coldBecause = `origin no longer has the cached commit ${cache.commit.slice(0, 12)}`;
  else {
    entries = cache.entries;
    changes = await diffTrees(options, cache.tree, tree);
  }
  if (changes === undefined) {
    changes = tree === undefined ? [] : await listTree(options, tree);
    // Every blob is needed: one pack of the commit, rather than a million objects asked for by id.
    if (partial && changes.length > 0) await fetchAllBlobsOf(options, commit);
  }
  for (const change of changes) entries.delete(change.file);
  // What to read, as two flat lists: a million change objects would be held while the records
  // they become are made.
  const files: string[] = [];
  const blobs: string[] = [];
  for (const change of changes) {
    if (change.irregular)
      entries.set(change.file, { ok: false, file: change.file, problem: 'not a regular file (a link or a submodule)' });
    else if (change.blob !== undefined) {
      files.push(change.file);
      blobs.push(change.blob);
    }
  }
  const changed = changes.length;
  changes = [];
  const read = files.length;
  await readBlobs(
    options,
    blobs,
    (index, text) => {
      const file = files[index]!;
      const result = parseAnySignatureFile(text, file);
      if (result.ok) {
        result.record.country = intern(result.record.country);
        result.record.letter_sha256 = intern(result.record.letter_sha256);
        entries.set(file, { ok: true, record: result.record });
      } else entries.set(file, { ok: false, file, problem: result.problem });
    },
    partial && coldBecause === undefined,
  );
  files.length = 0;
  blobs.length = 0;
  if (options.cacheFile && tree !== undefined && (changed > 0 || coldBecause))
    await writeCache(options.cacheFile, options.rules, commit, tree, entries);

  // The site does not depend on the records' order (every list is sorted); skipped files are
  // warned about in path order, as the folder loader does.
  const records: PetitionRecord[] = [];
  const skipped: SkippedSignatureFile[] = [];
  for (const record of entries.github.values()) {
    if (options.blocked?.has(record.user_id))
      skipped.push({
        file: signatureRelativePath(record.user_id),
        problem: `the account is blocked (${BLOCKED_ACCOUNTS_PATH})`,
      });
    else records.push(record);
  }
  for (const [file, entry] of entries.other) {
    if (!entry.ok) skipped.push({ file, problem: entry.problem });
    else records.push(entry.record);
  }
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return {
    records,
    skipped,
    stats: { reused: entries.size - read, read, ...(coldBecause ? { coldBecause } : {}) },
  };
}
