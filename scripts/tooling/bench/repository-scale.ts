/**
 * The repository-scale section of `npm run bench` (`--repository-scale=1000000,3000000`): what git
 * and the workflows pay when the repository holds millions of signature files, measured on a bare
 * repository with the processor's history (signature-history.ts), for the "How far it goes" table.
 *
 * Every git command runs under GNU time (CPU, peak memory); the generator and the record cache's
 * loader run as child processes of their own for the same reason. Nothing here is a target: these
 * are figures to extrapolate from, printed with the load average they were measured at.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gitStore } from '../../store/signature-store.ts';
import { historyUserId, type HistorySummary } from './signature-history.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Wall and CPU time, peak resident memory of a process tree, and what it printed. */
export interface Usage {
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  stdoutBytes: number;
}

/**
 * Runs `command` under GNU time (`/usr/bin/time`): its own and its waited-for children's CPU
 * and peak memory, from the kernel. `stdin` is written to it; stdout is counted, or kept when
 * `keep` is set.
 */
export async function timed(
  command: string[],
  {
    cwd,
    env,
    stdin,
    keep = false,
  }: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string | Buffer; keep?: boolean } = {},
): Promise<Usage & { stdout: Buffer }> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-timed-'));
  const usageFile = path.join(work, 'usage');
  try {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let errors = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', '%U %S %M', '-o', usageFile, ...command], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (keep) chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
      child.on('error', reject);
      child.on('close', resolve);
      child.stdin.on('error', () => {});
      child.stdin.end(stdin ?? '');
    });
    const wallS = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`${command.slice(0, 3).join(' ')} exited ${code}: ${errors.trim()}`);
    const [user, system, rss] = (await readFile(usageFile, 'utf8')).trim().split('\n').at(-1)!.split(' ').map(Number);
    return {
      wallS,
      cpuS: user! + system!,
      maxRssMb: rss! / 1024,
      stdoutBytes,
      stdout: Buffer.concat(chunks),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The figures of a run, without what it printed. */
const figures = ({ wallS, cpuS, maxRssMb, stdoutBytes }: Usage): Usage => ({ wallS, cpuS, maxRssMb, stdoutBytes });

const git = (directory: string, args: string[], options: Parameters<typeof timed>[1] = {}) =>
  timed(['git', ...args], { cwd: directory, ...options });

async function du(target: string): Promise<number> {
  const { stdout } = await timed(['du', '-sb', target], { keep: true });
  return Number(stdout.toString().split('\t')[0]);
}

/** V8's longest string (2²⁹ − 24 UTF-16 units): a git listing read as one string must stay below it. */
export const V8_MAX_STRING = 2 ** 29 - 24;

/** Everything measured on one repository. Sizes in bytes, times in seconds. */
export interface RepositoryScale {
  signatures: number;
  /** Signatures a commit of the generated history holds (the processor's runs: 500). */
  perCommit?: number;
  history: HistorySummary;
  generate: Usage;
  /**
   * The packs fast-import wrote, then after `git repack -ad` (what `git gc` runs: fast-import's
   * deltas of each folder's versions are kept, the rest searched). `-f`, recomputing every delta,
   * took 6 minutes of wall time for 300,000 signatures on the shared VM and gave 134 MB.
   */
  importedPackBytes: number;
  repack: Usage;
  packBytes: number;
  objects: { commits: number; trees: number; blobs: number; treeBytes: number; blobBytes: number };
  /** `git ls-tree -r -z` of signatures/ at the head: what the Pages build's loader lists. */
  lsTree: Usage & { entries: number; widestFolder: number };
  diffTree: Usage & { changed: number };
  catFile: Usage & { blobs: number };
  /** A full checkout's index (`git read-tree`, no files written), version 2 and version 4. */
  index: Usage & { bytes: number; v4Bytes: number };
  /** The processor's and the Pages build's checkout: depth 1, blobless, sparse, over file://. */
  sparseClone: Usage & { bytes: number; indexBytes: number; readS: number };
  /** The same clone with a sparse index (`-c index.sparse=true`): its index's bytes, and its time. */
  sparseIndexBytes: number;
  sparseIndexClone?: Usage;
  /** The Pages build's loader with its record cache, from cold, in a process of its own. */
  recordCache: Usage & { bytes: number; zstdBytes: number; zstdS: number };
}

/** Generates the repository (in a child process, timed) and measures it; removes it afterwards. */
export async function measureRepositoryScale(
  signatures: number,
  {
    letterSha256 = '',
    perCommit = 500,
    log = console.log,
  }: { letterSha256?: string; perCommit?: number; log?: (line: string) => void } = {},
): Promise<RepositoryScale> {
  const work = await mkdtemp(path.join(os.tmpdir(), `petition-repository-${signatures}-`));
  const origin = path.join(work, 'origin.git');
  try {
    const generate = await timed(
      [
        process.execPath,
        '--import',
        'tsx',
        path.join(here, 'signature-history.ts'),
        origin,
        String(signatures),
        letterSha256,
        String(perCommit),
      ],
      { keep: true },
    );
    const history = JSON.parse(generate.stdout.toString()) as HistorySummary;
    log(
      `  generated ${signatures.toLocaleString('en')} signatures in ${history.commits} commits: ${describe(generate)}`,
    );
    return await measureRepository(origin, work, { signatures, perCommit, history, generate: figures(generate) }, log);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Measures a repository signature-history.ts wrote at `origin` (repacking it), using `work` for
 * the clones and the cache. Exported so that a repository generated apart can be measured.
 */
export async function measureRepository(
  origin: string,
  work: string,
  made: Pick<RepositoryScale, 'signatures' | 'perCommit' | 'history' | 'generate'>,
  log: (line: string) => void = console.log,
): Promise<RepositoryScale> {
  const { history } = made;
  const expected = history.githubSignatures + history.offlineSignatures;
  const importedPackBytes = await du(path.join(origin, 'objects'));
  // A history of bigger commits than the processor's is a quick stand-in for the files at the
  // head: its pack says little, and repacking it is skipped (minutes a million on the shared VM).
  const standIn = (made.perCommit ?? 500) > 500;
  const repack = standIn
    ? { wallS: 0, cpuS: 0, maxRssMb: 0, stdoutBytes: 0 }
    : figures(await git(origin, ['repack', '-adq']));
  const packBytes = standIn ? importedPackBytes : await du(path.join(origin, 'objects/pack'));
  log(standIn ? '  not repacked (a stand-in history)' : `  git repack -ad: ${describe(repack)}`);
  const objects = await objectBreakdown(origin);
  const { lsTree, blobs } = await listHead(origin);
  if (lsTree.entries !== expected) throw new Error(`git lists ${lsTree.entries} files, not ${expected}`);
  const diffTree = await diffTreeApart(origin);
  const catFile = { ...figures(await git(origin, ['cat-file', '--batch'], { stdin: blobs })), blobs: lsTree.entries };
  log(`  ls-tree, diff-tree, cat-file --batch of ${lsTree.entries.toLocaleString('en')} blobs: done`);
  const index = await fullIndex(origin, work);
  const { sparseClone, sparseIndexBytes, sparseIndexClone } = await sparseCheckout(origin, work);
  log(`  blobless sparse clone: ${describe(sparseClone)}`);
  const recordCache = await recordCacheOf(origin, work, expected);
  log(`  record cache: ${describe(recordCache)}`);
  return {
    ...made,
    importedPackBytes,
    repack,
    packBytes,
    objects,
    lsTree,
    diffTree,
    catFile,
    index,
    sparseClone,
    sparseIndexBytes,
    sparseIndexClone,
    recordCache,
  };
}

export const describe = (u: Usage) =>
  `${u.wallS.toFixed(1)} s wall, ${u.cpuS.toFixed(1)} s CPU, ${Math.round(u.maxRssMb)} MB peak`;

/** How many commits, trees and blobs, and the bytes each kind takes in the pack. */
async function objectBreakdown(origin: string): Promise<RepositoryScale['objects']> {
  const out = await git(origin, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize:disk)'], {
    keep: true,
  });
  const objects = { commits: 0, trees: 0, blobs: 0, treeBytes: 0, blobBytes: 0 };
  const text = out.stdout.toString('latin1');
  for (let start = 0; start < text.length;) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    const space = line.indexOf(' ');
    const type = line.slice(0, space);
    const size = Number(line.slice(space + 1));
    if (type === 'commit') objects.commits += 1;
    else if (type === 'tree') {
      objects.trees += 1;
      objects.treeBytes += size;
    } else if (type === 'blob') {
      objects.blobs += 1;
      objects.blobBytes += size;
    }
  }
  return objects;
}

/** The loader's listing of signatures/ at the head, its widest folder, and its blob ids for cat-file. */
async function listHead(origin: string): Promise<{ lsTree: RepositoryScale['lsTree']; blobs: Buffer }> {
  const tree = (await git(origin, ['rev-parse', 'HEAD:signatures'], { keep: true })).stdout.toString().trim();
  const listing = await git(origin, ['ls-tree', '-r', '-z', tree], { keep: true });
  const perFolder = new Map<string, number>();
  const ids: string[] = [];
  let entries = 0;
  // Read in slices cut at a NUL: the whole listing can be longer than V8's longest string.
  const out = listing.stdout;
  for (let start = 0; start < out.length;) {
    const cut = Math.min(out.length, start + (1 << 26));
    const end = cut === out.length ? cut : out.lastIndexOf(0, cut - 1) + 1;
    for (const entry of out.toString('utf8', start, end).split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab < 0) continue;
      const file = entry.slice(tab + 1);
      if (!file.endsWith('.md') || file === 'README.md') continue;
      entries += 1;
      ids.push(entry.slice(tab - 40, tab));
      const folder = file.slice(0, file.lastIndexOf('/'));
      perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
    }
    start = end;
  }
  const blobs = Buffer.from(`${ids.join('\n')}\n`);
  return { lsTree: { ...figures(listing), entries, widestFolder: Math.max(0, ...perFolder.values()) }, blobs };
}

/** `git diff-tree -r` between two processor commits 1,000 signatures apart (two runs of 500). */
async function diffTreeApart(origin: string): Promise<RepositoryScale['diffTree']> {
  const runs = (
    await git(origin, ['rev-list', '-n', '3', '--grep=^Add [0-9]* signatures$', 'HEAD'], { keep: true })
  ).stdout
    .toString()
    .trim()
    .split('\n');
  const from = runs.at(-1)!;
  const result = await git(origin, ['diff-tree', '-r', from, runs[0]!], { keep: true });
  const changed = result.stdout.toString().split('\n').filter(Boolean).length;
  return { ...figures(result), changed };
}

/** A full (non-sparse) checkout's index, made without writing the files. */
async function fullIndex(origin: string, work: string): Promise<RepositoryScale['index']> {
  const file = path.join(work, 'full.index');
  const env = { GIT_INDEX_FILE: file };
  const made = await git(origin, ['read-tree', 'HEAD'], { env });
  const bytes = (await stat(file)).size;
  await git(origin, ['update-index', '--index-version', '4'], { env });
  const v4Bytes = (await stat(file)).size;
  await rm(file, { force: true });
  return { ...figures(made), bytes, v4Bytes };
}

/**
 * The workflows' checkout (actions/checkout with filter: blob:none and sparse-checkout, depth 1)
 * over file://, then what a processor run reads: 100 signers' files and the count.
 */
async function sparseCheckout(
  origin: string,
  work: string,
): Promise<Pick<RepositoryScale, 'sparseClone' | 'sparseIndexBytes' | 'sparseIndexClone'>> {
  const url = `file://${origin}`;
  const cloneSparse = async (clone: string, config: string[]) => {
    const cloned = await timed([
      'git',
      'clone',
      '-q',
      ...config,
      '--depth',
      '1',
      '--filter=blob:none',
      '--sparse',
      url,
      clone,
    ]);
    const set = await git(clone, ['sparse-checkout', 'set', '.github', 'content', 'scripts']);
    return {
      wallS: cloned.wallS + set.wallS,
      cpuS: cloned.cpuS + set.cpuS,
      maxRssMb: Math.max(cloned.maxRssMb, set.maxRssMb),
      stdoutBytes: 0,
      bytes: await du(clone),
      indexBytes: (await stat(path.join(clone, '.git/index'))).size,
    };
  };
  const clone = path.join(work, 'sparse');
  const made = await cloneSparse(clone, []);
  const started = performance.now();
  const store = gitStore({ repository: clone });
  const wanted = Array.from({ length: 100 }, (_, i) => historyUserId(i * 7));
  const files = await store.readMany(wanted);
  const readS = (performance.now() - started) / 1000;
  if (wanted.some((id) => files.get(id) === undefined)) throw new Error('The sparse clone missed a signer file.');
  await rm(clone, { recursive: true, force: true });
  // The next step measured: the same clone keeping a sparse index (signatures/ one entry, not N).
  const withSparseIndex = await cloneSparse(clone, ['-c', 'index.sparse=true']);
  await rm(clone, { recursive: true, force: true });
  const { indexBytes: sparseIndexBytes, bytes: _bytes, ...sparseIndexClone } = withSparseIndex;
  return { sparseClone: { ...made, readS }, sparseIndexBytes, sparseIndexClone };
}

/** The Pages build's loader from cold with a record cache, in a process of its own; the cache's size raw and as actions/cache compresses it. */
async function recordCacheOf(origin: string, work: string, expected: number): Promise<RepositoryScale['recordCache']> {
  const cacheFile = path.join(work, 'cache/records.ndjson');
  const load = await timed(
    [process.execPath, '--import', 'tsx', path.join(here, 'record-cache-child.ts'), origin, cacheFile],
    { keep: true },
  );
  const loaded = JSON.parse(load.stdout.toString()) as { records: number; skipped: number };
  if (loaded.records !== expected || loaded.skipped !== 0)
    throw new Error(`The loader read ${loaded.records} records and skipped ${loaded.skipped}, not ${expected} and 0.`);
  const bytes = (await stat(cacheFile)).size;
  // actions/cache: tar, then zstd -T0 --long=30.
  const zstd = await timed(['zstd', '-q', '-T0', '--long=30', '-c', cacheFile]);
  await rm(path.dirname(cacheFile), { recursive: true, force: true });
  return { ...figures(load), bytes, zstdBytes: zstd.stdoutBytes, zstdS: zstd.wallS };
}
