import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { siteFingerprint } from '../../scripts/tooling/bench/build.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { generateOfflineSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { buildSite, projectRoot, type BuiltSite } from '../helpers/site.ts';

const git = promisify(execFile);
const fixtures = path.join(projectRoot, 'test/fixtures/signatures');
// Every build of this file uses the same "now", so that sites built at different times compare.
const now = { SOURCE_DATE_EPOCH: '1764010000' };

/**
 * The Pages workflow builds through git with a cache of parsed records (scripts/store/load-signatures-git.ts).
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

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'petition-incremental-'));
    repository = path.join(work, 'repository');
    cacheFile = path.join(work, 'cache', 'records.ndjson');
    const signatures = path.join(repository, 'signatures');
    await git('git', ['init', '-q', repository]);
    const records = generateSampleRecords(260, { seed: 21 });
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
    expect((await rebuilt.read('signatures/index.html')).includes('Renamed Signer')).toBe(
      (await clean.read('signatures/index.html')).includes('Renamed Signer'),
    );
    // Every skipped file is named in the log, as a clean build names it.
    for (const line of clean.log.split('\n').filter((l) => l.includes('Skipped signature file')))
      expect(rebuilt.log).toContain(line);
  });

  it('does not trust a cache written by other rules, and says why it reads everything', async () => {
    const text = await readFile(cacheFile, 'utf8');
    await writeFile(cacheFile, text.replace(/"rules":"[0-9a-f]+"/, '"rules":"0000"'));
    const site = await throughGit();
    expect(site.log).toMatch(/0 from the record cache, \d+ read \(the cache was made by other rules/);
  });
});
