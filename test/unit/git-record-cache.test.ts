/**
 * The git loader's cache of signature files, without a site build: whatever the cache file holds,
 * loading through git gives the records and skipped files that reading a checkout of the same
 * commit gives (issue #26), and the cache only saves reading files.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { loadSignaturesFromGit } from '../../scripts/store/load-signatures-git.ts';
import { anyRejected } from '../../scripts/store/load-signatures-git-cache.ts';
import { blobSize } from '../../scripts/store/load-signatures-git-tree.ts';
import { loadSignatures, NOT_A_REGULAR_FILE } from '../../scripts/store/load-signatures.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { commitSignatures } from '../../scripts/tooling/bench/signature-repository.ts';
import { projectRoot } from '../helpers/site.ts';

const git = promisify(execFile);
const hostileDir = path.join(projectRoot, 'test/fixtures/signatures/hostile');

/** A cache row as the loader writes one: "<blob id> <path>\n", git's object, "\n". */
function row(file: string, bytes: Buffer, blob = blobId(bytes)): Buffer {
  return Buffer.concat([Buffer.from(`${blob} ${file}\nblob ${bytes.length}\0`), bytes, Buffer.from('\n')]);
}

/** The id git gives a blob, computed here independently of the loader. */
function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** One temporary folder for the file; each group of tests works in a folder of its own inside it. */
let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'petition-record-cache-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh folder named `name` inside the file's temporary folder. */
async function folder(name: string): Promise<string> {
  const made = path.join(root, name);
  await mkdir(made, { recursive: true });
  return made;
}

describe('the record cache of the git loader', () => {
  let work: string;
  let repository: string;
  let cacheFile: string;
  const records = generateSampleRecords(40, { seed: 5 });
  const load = () => loadSignaturesFromGit({ repository, cacheFile });

  beforeAll(async () => {
    work = await folder('loader');
    repository = path.join(work, 'repository');
    cacheFile = path.join(work, 'cache', 'records.cache');
    const signatures = path.join(repository, 'signatures');
    await git('git', ['init', '-q', repository]);
    await writeSignatureFiles(signatures, records);
    await writeOfflineSignatureFiles(signatures, generateOfflineSampleRecords(3, { seed: 2 }));
    await cp(hostileDir, signatures, { recursive: true });
    // Bytes that are not UTF-8, and Windows line ends: decoded and parsed as a file read from disk is.
    const odd = records[0]!;
    await writeFile(
      path.join(signatures, signatureRelativePath(odd.user_id)),
      Buffer.concat([Buffer.from(renderSignatureFile(odd).replace(/\n/g, '\r\n')), Buffer.from([0xff, 0xfe, 0x0a])]),
    );
    await writeFile(path.join(signatures, 'README.md'), 'Signatures, one file each.\n');
    // A link named as a signer's file to a text outside the folder that would pass as theirs:
    // neither loader follows it (a link could as well name /dev/zero).
    const linked = generateSampleRecords(1, { seed: 99 })[0]!;
    const outside = path.join(work, 'outside.md');
    await writeFile(outside, renderSignatureFile(linked));
    await mkdir(path.dirname(path.join(signatures, signatureRelativePath(linked.user_id))), { recursive: true });
    await symlink(outside, path.join(signatures, signatureRelativePath(linked.user_id)));
    await git('git', ['-C', repository, 'add', '-A']);
    await git('git', [
      '-C',
      repository,
      '-c',
      'user.name=T',
      '-c',
      'user.email=t@example.invalid',
      'commit',
      '-qm',
      'x',
    ]);
  });

  it('gives the records and skipped files of the folder, cold and then from the cache', async () => {
    const folder = await loadSignatures(path.join(repository, 'signatures'));
    const cold = await load();
    expect(cold.stats.coldBecause).toBe('no cache yet');
    const warm = await load();
    expect(warm.stats.read).toBe(0);
    expect(warm.stats.reused).toBe(cold.stats.read);
    for (const loaded of [cold, warm]) {
      expect(sortById(loaded.records)).toEqual(sortById(folder.records));
      expect(loaded.skipped).toEqual(folder.skipped);
    }
    expect(folder.skipped).toContainEqual({ file: expect.stringMatching(/\.md$/), problem: NOT_A_REGULAR_FILE });
    expect(folder.skipped.length).toBeGreaterThan(5);
  });

  it('uses every honest row wherever it stands in the file, rows in reverse order included', async () => {
    await rm(cacheFile, { force: true });
    const cold = await load();
    const [header, body] = splitHeader(await readFile(cacheFile));
    await writeFile(cacheFile, Buffer.concat([header, ...cacheRows(body).reverse()]));
    const reversed = await load();
    expect(reversed.stats).toMatchObject({ reused: cold.stats.read, read: 0 });
    expect(anyRejected(reversed.stats.rejected)).toBe(false);
    expect(sortById(reversed.records)).toEqual(sortById(cold.records));
    expect(reversed.skipped).toEqual(cold.skipped);
  });

  it('uses no row whose path, blob id or bytes are not the commit’s, and still gives the folder’s records', async () => {
    await rm(cacheFile, { force: true });
    await load();
    const [header] = splitHeader(await readFile(cacheFile));
    const folder = await loadSignatures(path.join(repository, 'signatures'));
    const real = records.slice(1, 4).map((record) => ({ record, file: signatureRelativePath(record.user_id) }));
    // The honest rows of every file but three real signers'.
    const listing = (await git('git', ['-C', repository, 'ls-tree', '-r', 'HEAD:signatures'])).stdout
      .trim()
      .split('\n');
    const honest: Buffer[] = [];
    for (const entry of listing) {
      const [mode, , blob, file] = entry.split(/\s+/);
      if (mode !== '100644' || !file!.endsWith('.md') || file === 'README.md' || real.some((r) => r.file === file))
        continue;
      const bytes = (await git('git', ['-C', repository, 'cat-file', 'blob', blob!], { encoding: 'buffer' })).stdout;
      honest.push(row(file!, bytes));
    }
    const realBlob = async (file: string) =>
      (await git('git', ['-C', repository, 'rev-parse', `HEAD:signatures/${file}`])).stdout.trim();
    const hostile = '<img src=x onerror=alert(1)>"\n::error::forged';
    const phantom = { ...records[5]!, user_id: 900_000_001, name: 'Phantom' };
    const rendered = (record: (typeof records)[number]) => Buffer.from(renderSignatureFile(record));
    await writeFile(
      cacheFile,
      Buffer.concat([
        header,
        ...honest,
        // A phantom signer whose row is self-consistent, but whose path is not in the tree.
        row(signatureRelativePath(phantom.user_id), rendered(phantom)),
        // real[0] is left out; real[1] comes back altered under its real blob id; real[2] with
        // another name under a blob id that fits the forged text.
        row(real[1]!.file, rendered({ ...real[1]!.record, name: hostile }), await realBlob(real[1]!.file)),
        row(real[2]!.file, rendered({ ...real[2]!.record, name: 'Someone Else' })),
        // A second row for a path that already had one.
        honest[0]!,
        // Garbage lines, an overlong line, a row larger than any signature file.
        Buffer.from('{"not": "a row"}\n'),
        Buffer.from(`${'x'.repeat(200_000)}\n`),
        Buffer.from(`${'0'.repeat(40)} 01/01/1.md\nblob 99999999\0\n`),
      ]),
    );
    const loaded = await load();
    expect(sortById(loaded.records)).toEqual(sortById(folder.records));
    expect(loaded.skipped).toEqual(folder.skipped);
    const { rejected } = loaded.stats;
    expect(rejected.notInTree).toBe(1);
    expect(rejected.altered).toBe(1);
    expect(rejected.otherBlob).toBe(1);
    expect(rejected.malformed).toBeGreaterThanOrEqual(4);
    expect(rejected.examples.join('\n')).toContain('the text does not hash to its blob id');
    // The three real files the forged cache left out or got wrong are read through git.
    expect(loaded.stats.read).toBe(3);
    // The cache written back is the honest one again.
    const again = await load();
    expect(again.stats.read).toBe(0);
    expect(again.stats.rejected.malformed + again.stats.rejected.altered + again.stats.rejected.notInTree).toBe(0);
  });

  it('is never read by npm run tally through git, which counts what it counts from the folder', async () => {
    // A cache that would drop every file, were it used.
    await writeFile(cacheFile, '{"format":"petition-blob-cache/3"}\n');
    const tally = async (env: Record<string, string>) =>
      JSON.parse(
        (
          await git(process.execPath, ['--import', 'tsx', 'scripts/commands/tally.ts', '--json'], {
            cwd: projectRoot,
            env: { ...process.env, ...env },
          })
        ).stdout,
      ) as { signature_count: number; digest: string; skipped: unknown[] };
    const throughGit = await tally({
      PETITION_SIGNATURES: 'git',
      PETITION_SIGNATURES_REPOSITORY: repository,
      PETITION_RECORD_CACHE: cacheFile,
    });
    const fromFolder = await tally({ SIGNATURES_DIR: path.join(repository, 'signatures') });
    expect(throughGit.signature_count).toBe(fromFolder.signature_count);
    expect(throughGit.digest).toBe(fromFolder.digest);
    expect(throughGit.skipped).toEqual(fromFolder.skipped);
    expect(throughGit.signature_count).toBeGreaterThan(40);
  });

  it('reads a cache of another format, a truncated one or one with no header as what it is', async () => {
    await rm(cacheFile, { force: true });
    await load();
    const honest = await readFile(cacheFile);
    await writeFile(
      cacheFile,
      Buffer.from(honest.toString('latin1').replace('petition-blob-cache/3', 'other/1'), 'latin1'),
    );
    expect((await load()).stats.coldBecause).toBe('the cache is of another format');
    await load();
    const cut = honest.subarray(0, honest.length - 7);
    await writeFile(cacheFile, cut);
    const truncated = await load();
    expect(truncated.stats.read).toBe(1);
    expect(truncated.stats.rejected.malformed).toBe(1);
    await writeFile(cacheFile, '');
    expect((await load()).stats.coldBecause).toBe('the cache is empty');
  });
});

/**
 * Makes `entries` (mode, blob id, path) part of main's tree through git's index, as no checkout
 * can (a link by mode alone, two paths of one blob), and commits the result on main.
 */
async function commitEntries(
  repository: string,
  work: string,
  entries: readonly (readonly [string, string, string])[],
) {
  const env = { ...process.env, GIT_INDEX_FILE: path.join(work, 'index') };
  const run = async (...args: string[]) => (await git('git', ['-C', repository, ...args], { env })).stdout.trim();
  await run('read-tree', 'main');
  for (const [mode, blob, file] of entries)
    await run('update-index', '--add', '--cacheinfo', `${mode},${blob},${file}`);
  const tree = await run('write-tree');
  const identity = ['-c', 'user.name=T', '-c', 'user.email=t@example.invalid'];
  const commit = await run(...identity, 'commit-tree', tree, '-p', 'main', '-m', 'entries');
  await run('update-ref', 'refs/heads/main', commit);
}

describe('reading a tree through git', () => {
  let work: string;
  beforeAll(async () => {
    work = await folder('tree');
  });

  it('gives every one of 12,000 files its own text, asked for in the order git packed them, two paths with the same bytes included, and caches them in the tree’s order', async () => {
    const repository = path.join(work, 'large.git');
    const records = generateSampleRecords(12_000, { seed: 9 });
    await commitSignatures(repository, records);
    // A copy of one file at another path: one blob id for two files, the second refused for its name.
    const copied = records[7]!;
    const listing = (
      await git('git', ['-C', repository, 'ls-tree', 'main', `signatures/${signatureRelativePath(copied.user_id)}`])
    ).stdout;
    await commitEntries(repository, work, [['100644', listing.split(/\s+/)[2]!, 'signatures/99/99/9999999.md']]);

    const cacheFile = path.join(work, 'records.cache');
    const loaded = await loadSignaturesFromGit({ repository, ref: 'main', cacheFile });
    expect(loaded.stats.read).toBe(12_001);
    expect(sortById(loaded.records)).toEqual(sortById(records));
    expect(loaded.skipped).toEqual([
      { file: '99/99/9999999.md', problem: expect.stringContaining('does not match the file name') },
    ]);
    // Read in the pack's order, written in the tree's: the next build meets its files in turn.
    const listed = (await git('git', ['-C', repository, 'ls-tree', '-r', '--name-only', 'main:signatures'])).stdout;
    const cached = [...(await readFile(cacheFile, 'latin1')).matchAll(/^[0-9a-f]{40} (\S+)\nblob \d+\0/gm)];
    expect(cached.map((match) => match[1])).toEqual(listed.trim().split('\n'));
  });

  it('skips an entry that is not a regular file, and reads an executable signature file', async () => {
    const repository = path.join(work, 'modes.git');
    const records = generateSampleRecords(3, { seed: 13 });
    const [linked, executable, plain] = records;
    await commitSignatures(repository, [plain!]);
    const blobOf = async (record: (typeof records)[number]) => {
      const file = path.join(work, `${record.user_id}.md`);
      await writeFile(file, renderSignatureFile(record));
      return (await git('git', ['-C', repository, 'hash-object', '-w', file])).stdout.trim();
    };
    const at = (record: (typeof records)[number]) => `signatures/${signatureRelativePath(record.user_id)}`;
    // A symbolic link whose target text is a whole signature file, and an executable file.
    await commitEntries(repository, work, [
      ['120000', await blobOf(linked!), at(linked!)],
      ['100755', await blobOf(executable!), at(executable!)],
    ]);

    const loaded = await loadSignaturesFromGit({ repository, ref: 'main' });
    expect(sortById(loaded.records)).toEqual(sortById([executable!, plain!]));
    expect(loaded.skipped).toEqual([
      { file: signatureRelativePath(linked!.user_id), problem: 'not a regular file (a link or a submodule)' },
    ]);
  });
});

describe('git cat-file answers', () => {
  const size = (header: string) => blobSize(Buffer.from(header, 'latin1'), 0, header.length);
  it('are read as a blob of the size their header gives, and anything else is refused', () => {
    expect(size(`${'a1'.repeat(20)} blob 301`)).toBe(301);
    expect(size(`${'0f'.repeat(32)} blob 0`)).toBe(0);
    expect(size(`${'9'.repeat(40)} blob 999999999999`)).toBe(999_999_999_999);
    for (const header of [
      `${'a1'.repeat(20)} tree 301`,
      `${'a1'.repeat(20)} missing`,
      `${'A1'.repeat(20)} blob 301`,
      `${'a1'.repeat(20)} blob `,
      `${'a1'.repeat(20)}  blob 301`,
      `${'a1'.repeat(20)} blob 1000000000000`,
      ' blob 301',
      'blob 301',
      '',
    ])
      expect(size(header), header).toBe(-1);
  });
});

describe('the order of the record cache', () => {
  let work: string;
  beforeAll(async () => {
    work = await folder('order');
  });

  /** The paths of the cache's rows, in the file's order. */
  const cachedPaths = async (cacheFile: string) =>
    [...(await readFile(cacheFile, 'latin1')).matchAll(/^[0-9a-f]{40} (\S+)\nblob \d+\0/gm)].map((match) => match[1]!);
  /** Rows that come after a row that sorts later: what the writer counts as out of the tree's order. */
  const outOfPlace = (paths: readonly string[]) => {
    let last = '';
    let count = 0;
    for (const file of paths)
      if (file < last) count += 1;
      else last = file;
    return count;
  };
  const treePaths = async (repository: string) =>
    (await git('git', ['-C', repository, 'ls-tree', '-r', '--name-only', 'main:signatures'])).stdout.trim().split('\n');

  it('keeps its rows in the tree’s order, whatever order git read the files in, and puts new ones in place once they are many', async () => {
    const repository = path.join(work, 'origin.git');
    const cacheFile = path.join(work, 'records.cache');
    const records = generateSampleRecords(3_300, { seed: 11 });
    await commitSignatures(repository, records.slice(0, 3_000));
    const load = () => loadSignaturesFromGit({ repository, ref: 'main', cacheFile });

    const cold = await load();
    expect(cold.stats.read).toBe(3_000);
    const afterCold = await cachedPaths(cacheFile);
    expect(afterCold).toEqual(await treePaths(repository));

    // A few new files are added after the rows in order: the rewrite waits until they are many.
    await commitSignatures(repository, records.slice(3_000, 3_030), { parent: true });
    const few = await load();
    expect(few.stats).toMatchObject({ reused: 3_000, read: 30 });
    const afterFew = await cachedPaths(cacheFile);
    expect([...afterFew].sort()).toEqual(await treePaths(repository));
    expect(outOfPlace(afterFew)).toBeGreaterThan(outOfPlace(afterCold));

    await commitSignatures(repository, records.slice(3_030), { parent: true });
    const many = await load();
    expect(many.stats).toMatchObject({ reused: 3_030, read: 270 });
    expect(sortById(many.records)).toEqual(sortById(records));
    expect(await cachedPaths(cacheFile)).toEqual(await treePaths(repository));
  });
});

function sortById<T extends object>(list: T[]): T[] {
  const key = (record: T) => JSON.stringify(record);
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A cache's rows after its header, each "<blob id> <path>\nblob <size>\0<bytes>\n", as they stand. */
function cacheRows(body: Buffer): Buffer[] {
  const rows: Buffer[] = [];
  for (let start = 0; start < body.length;) {
    const nul = body.indexOf(0, body.indexOf(0x0a, start));
    const size = Number(/blob (\d+)$/.exec(body.toString('latin1', start, nul))![1]);
    rows.push(body.subarray(start, nul + 1 + size + 1));
    start = nul + 1 + size + 1;
  }
  return rows;
}

/** The header line (with its newline) and the rest. */
function splitHeader(cache: Buffer): [Buffer, Buffer] {
  const newline = cache.indexOf(0x0a);
  return [cache.subarray(0, newline + 1), cache.subarray(newline + 1)];
}
