import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath, type SignatureRecord } from '../../scripts/core/signature-file.ts';
import { CACHE_FORMAT } from '../../scripts/store/load-signatures-git-cache.ts';
import { siteFingerprint } from '../../scripts/tooling/bench/build.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { generateOfflineSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { buildSite, projectRoot, type BuiltSite } from '../helpers/site.ts';

const git = promisify(execFile);
const fixtures = path.join(projectRoot, 'test/fixtures/signatures');
// Every build of this file uses the same "now", so that sites built at different times compare.
const now = { SOURCE_DATE_EPOCH: '1764010000' };

/**
 * The Pages workflow builds through git with a cache of signature files (scripts/store/load-signatures-git.ts).
 * Whatever the cache holds, the site must be the one a clean build of the same files gives.
 */
describe('a build through git with the record cache of an earlier commit', () => {
  let work: string;
  let repository: string;
  let cacheFile: string;
  const sites: BuiltSite[] = [];
  const throughGit = (env: Record<string, string> = {}) =>
    buildSite({
      signaturesDir: path.join(repository, 'signatures'),
      env: {
        ...now,
        PETITION_SIGNATURES: 'git',
        PETITION_SIGNATURES_REPOSITORY: repository,
        PETITION_RECORD_CACHE: cacheFile,
        ...env,
      },
    }).then((site) => (sites.push(site), site));
  const commit = async (message: string) => {
    await git('git', ['-C', repository, 'add', '-A']);
    await git('git', [
      '-C',
      repository,
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.invalid',
      'commit',
      '-qm',
      message,
    ]);
  };

  let records: SignatureRecord[];

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'petition-incremental-'));
    repository = path.join(work, 'repository');
    cacheFile = path.join(work, 'cache', 'records.ndjson');
    const signatures = path.join(repository, 'signatures');
    await git('git', ['init', '-q', repository]);
    records = generateSampleRecords(260, { seed: 21 });
    await writeSignatureFiles(signatures, records.slice(0, 200));
    await writeOfflineSignatureFiles(signatures, generateOfflineSampleRecords(12, { seed: 4 }));
    // Malformed and hostile files, skipped with a warning, are part of what the cache remembers.
    await cp(path.join(fixtures, 'hostile'), signatures, { recursive: true });
    await writeFile(path.join(signatures, 'README.md'), 'Signatures, one file each.\n');
    await commit('First signatures');
    // The first build: no cache yet, every file read through git.
    const first = await throughGit();
    expect(first.log).toMatch(/Signatures read through git: 0 from the record cache, \d+ read \(no cache yet\)/);

    // One processor run and some maintenance later: signatures added, withdrawn, edited, broken.
    await writeSignatureFiles(signatures, records.slice(200));
    for (const record of records.slice(0, 5))
      await unlink(path.join(signatures, signatureRelativePath(record.user_id)));
    const edited = { ...records[10]!, name: 'Renamed Signer' };
    await writeFile(path.join(signatures, signatureRelativePath(edited.user_id)), renderSignatureFile(edited));
    await writeFile(path.join(signatures, signatureRelativePath(records[11]!.user_id)), 'not front matter\n');
    await commit('More signatures');
  });

  afterAll(async () => {
    for (const site of sites) await rm(path.dirname(site.output), { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it('reads only the files that changed, and gives byte for byte the site of a clean build from the folder', async () => {
    const rebuilt = await throughGit();
    expect(rebuilt.log).toMatch(/Signatures read through git: \d+ from the record cache, 62 read/);
    const clean = await buildSite({ signaturesDir: path.join(repository, 'signatures'), env: now });
    sites.push(clean);
    const [rebuiltFiles, cleanFiles] = await Promise.all([
      siteFingerprint(rebuilt.output),
      siteFingerprint(clean.output),
    ]);
    expect([...rebuiltFiles.keys()].sort()).toEqual([...cleanFiles.keys()].sort());
    const different = [...cleanFiles].filter(([file, sha]) => rebuiltFiles.get(file) !== sha).map(([file]) => file);
    expect(different).toEqual([]);
    const tally = JSON.parse(await rebuilt.read('data/tally.json'));
    expect(tally.signature_count).toBe(260 - 5 - 1 + 12 + 5);
    expect((await rebuilt.openData()).fullCsv.includes('Renamed Signer')).toBe(
      (await clean.openData()).fullCsv.includes('Renamed Signer'),
    );
    // Every skipped file is named in the log, as a clean build names it.
    for (const line of clean.log.split('\n').filter((l) => l.includes('Skipped signature file')))
      expect(rebuilt.log).toContain(line);
  });

  it('reads a cache of another format as no cache, and says why it reads everything', async () => {
    const text = await readFile(cacheFile, 'latin1');
    await writeFile(cacheFile, text.replace(/"format":"[^"]+"/, '"format":"petition-record-cache/0"'), 'latin1');
    const site = await throughGit();
    expect(site.log).toMatch(/0 from the record cache, \d+ read \(the cache is of another format\)/);
  });

  /**
   * Anything running in a job on the default branch can save a cache entry the next build
   * restores (issue #26). The forger here copies the real cache's header and writes rows in the
   * format the build reads: phantom signers, a real signer left out and another one altered, and
   * markup (and a workflow command) in every field. None of it may reach the site.
   */
  it('publishes nothing a forged cache says: the site is byte for byte a clean build, and the log names what it rejected, inertly', async () => {
    // A fresh, honest cache of the current commit first: the one the last build through git wrote
    // (each writes the records of the commit it built), or a new one when that was another commit's.
    const head = (await git('git', ['-C', repository, 'rev-parse', 'HEAD'])).stdout.trim();
    const written = await readFile(cacheFile, 'latin1').catch(() => '');
    const header = written.startsWith('{') ? JSON.parse(written.slice(0, written.indexOf('\n'))) : {};
    if (header.format !== CACHE_FORMAT || header.commit !== head) {
      await rm(cacheFile, { force: true });
      await throughGit();
    }
    const clean = await buildSite({ signaturesDir: path.join(repository, 'signatures'), env: now });
    sites.push(clean);
    const cache = await readFile(cacheFile);
    const headerEnd = cache.indexOf(0x0a) + 1;
    const cacheHeader = cache.subarray(0, headerEnd);
    const hostile = '<img src=x onerror=alert(1)>"\n::error::forged';
    const phantoms = generateSampleRecords(500, { seed: 99 }).map((record, index) => ({
      ...record,
      user_id: 900_000_000 + index,
      name: index === 0 ? hostile : `Phantom ${index}`,
    }));
    const real = records.slice(20, 23);
    // "<blob id> <path>\n", git's object, "\n": a forger can compute a blob id for any text it writes.
    const row = (file: string, text: string | Buffer, blob?: string) => {
      const bytes = typeof text === 'string' ? Buffer.from(text) : text;
      return Buffer.concat([
        Buffer.from(`${blob ?? blobId(bytes)} ${file}\nblob ${bytes.length}\0`),
        bytes,
        Buffer.from('\n'),
      ]);
    };
    const realBlob = async (r: SignatureRecord) =>
      (
        await git('git', ['-C', repository, 'rev-parse', `HEAD:signatures/${signatureRelativePath(r.user_id)}`])
      ).stdout.trim();
    const markup = renderSignatureFile({ ...real[1]!, name: hostile, reason: hostile }).replace(
      /issue: \d+/,
      'issue: "<b>1</b>"',
    );
    // The honest rows of every file but the three real signers'.
    const honest: Buffer[] = [];
    const listing = (await git('git', ['-C', repository, 'ls-tree', '-r', 'HEAD:signatures'])).stdout
      .trim()
      .split('\n');
    const left = new Set(real.map((r) => signatureRelativePath(r.user_id)));
    for (const entry of listing) {
      const [, , blob, file] = entry.split(/\s+/);
      if (!file!.endsWith('.md') || file === 'README.md' || left.has(file!)) continue;
      honest.push(
        row(file!, (await git('git', ['-C', repository, 'cat-file', 'blob', blob!], { encoding: 'buffer' })).stdout),
      );
    }
    const forged = [
      // The real signer real[0] is left out; real[1] comes back with markup under its real blob id,
      // real[2] with another name under a blob id that fits the forged text.
      ...honest,
      ...phantoms.map((r) => row(signatureRelativePath(r.user_id), renderSignatureFile(r))),
      row(signatureRelativePath(real[1]!.user_id), markup, await realBlob(real[1]!)),
      row(signatureRelativePath(real[2]!.user_id), renderSignatureFile({ ...real[2]!, name: 'Someone Else' })),
      row(`../::error::${hostile.replace(/\n/g, ' ')}.md`, renderSignatureFile(phantoms[1]!)),
      Buffer.from('{"not": "a row"}\n'),
      Buffer.from(`["${'x'.repeat(200_000)}"]\n`),
    ];
    await writeFile(cacheFile, Buffer.concat([cacheHeader, ...forged]));

    const site = await throughGit();
    const [siteFiles, cleanFiles] = await Promise.all([siteFingerprint(site.output), siteFingerprint(clean.output)]);
    expect([...siteFiles.keys()].sort()).toEqual([...cleanFiles.keys()].sort());
    expect([...cleanFiles].filter(([file, sha]) => siteFiles.get(file) !== sha).map(([file]) => file)).toEqual([]);
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(tally.signature_count).toBe(JSON.parse(await clean.read('data/tally.json')).signature_count);
    // What was rejected is said, and nothing of it can be a workflow command or a second line.
    expect(site.log).toMatch(
      /Record cache rows not used: 50\d for paths not in the tree, 1 for files changed since, 1 whose text does not match its blob id, 2 malformed/,
    );
    expect(site.log).toMatch(/The cache may have been tampered with/);
    // The three real signers' files the cache left out or got wrong are read from git.
    expect(site.log).toMatch(/from the record cache, 3 read/);
    expect(site.log.split('\n').filter((line) => line.trimStart().startsWith('::'))).toEqual([]);
    expect(site.log).not.toContain('::error');

    // The next build, with the cache this build wrote, is clean again.
    const again = await throughGit();
    expect(again.log).not.toMatch(/Record cache rows not used/);
    expect(again.log).toMatch(/Signatures read through git: \d+ from the record cache, 0 read/);
    // Up to three builds through git and one from the folder: minutes on a busy 2-core machine.
  }, 180_000);
});

/** The id git gives a blob of `text`, computed here independently of the loader. */
function blobId(text: string | Buffer): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
