/**
 * Our own builds' records (scripts/store/load-signatures-git-trusted.ts): a build given them reads
 * only the files that changed since and publishes what reading every file gives; and the records
 * are downloaded only from a run of our own workflows on the default branch of this repository
 * (scripts/github/trusted-records.ts), never from a pull request's run.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { createClient } from '../../scripts/github/client.ts';
import {
  findRecords,
  RECORDS_ARTIFACT,
  RECORDS_FILE,
  untrustedBecause,
  type RunFacts,
} from '../../scripts/github/trusted-records.ts';
import { loadSignaturesFromGit, trustedRulesFingerprint } from '../../scripts/store/load-signatures-git.ts';
import { TRUSTED_FORMAT } from '../../scripts/store/load-signatures-git-trusted.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { runTracked } from '../helpers/processes.ts';
import { projectRoot } from '../helpers/site.ts';

const git = promisify(execFile);
const RULES = 'rules-of-this-test';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'petition-trusted-records-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const byId = <T extends { user_id?: number; id?: string }>(records: T[]) =>
  [...records].sort((a, b) => String(a.user_id ?? a.id).localeCompare(String(b.user_id ?? b.id)));

async function commitAll(repository: string): Promise<void> {
  await git('git', ['-C', repository, 'add', '-A']);
  await git('git', ['-C', repository, '-c', 'user.name=T', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'x']);
}

describe('a build given our own last build’s records', () => {
  let repository: string;
  let signatures: string;
  let trustedFile: string;
  let cacheFile: string;
  const records = generateSampleRecords(30, { seed: 8 });
  const load = (rules = RULES, withCache = false) =>
    loadSignaturesFromGit({
      repository,
      trusted: { file: trustedFile, rules },
      ...(withCache ? { cacheFile } : {}),
    });
  const folderOf = () => loadSignatures(signatures);

  beforeAll(async () => {
    repository = path.join(root, 'repository');
    signatures = path.join(repository, 'signatures');
    trustedFile = path.join(root, 'kept', 'records.ndjson');
    cacheFile = path.join(root, 'kept', 'texts.cache');
    await git('git', ['init', '-q', repository]);
    await writeSignatureFiles(signatures, records);
    await writeOfflineSignatureFiles(signatures, generateOfflineSampleRecords(2, { seed: 3 }));
    // Files the build skips, each with its reason, kept as such.
    await cp(path.join(projectRoot, 'test/fixtures/signatures/hostile'), signatures, { recursive: true });
    await writeFile(path.join(signatures, 'README.md'), 'Signatures, one file each.\n');
    await commitAll(repository);
  });

  it('gives the folder’s records and skipped files, first without them and then from them, reading no file', async () => {
    const folder = await folderOf();
    const first = await load();
    expect(first.stats.trusted).toBe(0);
    expect(first.stats.trustedColdBecause).toBe('no cache yet');
    const second = await load();
    expect(second.stats).toMatchObject({ trusted: first.stats.read, read: 0 });
    expect(second.stats.trustedColdBecause).toBeUndefined();
    for (const loaded of [first, second]) {
      expect(byId(loaded.records)).toEqual(byId(folder.records));
      expect(loaded.skipped).toEqual(folder.skipped);
    }
    expect(folder.skipped.length).toBeGreaterThan(3);
    // Written in the tree's order, as the next build meets the tree's files.
    const rowPaths = [...(await readFile(trustedFile, 'latin1')).matchAll(/^[0-9a-f]{40} (.+)\njson /gm)].map(
      (match) => match[1],
    );
    const listed = (await git('git', ['-C', repository, 'ls-tree', '-r', 'HEAD', 'signatures/'])).stdout
      .split('\n')
      .filter((line) => line.startsWith('100'))
      .map((line) => line.split('\t')[1]!.slice('signatures/'.length))
      // The folder's own README is not a signature file.
      .filter((file) => file !== 'README.md');
    expect(rowPaths).toEqual(listed);
  });

  it('after a commit that adds, changes and removes files, reads only the added and changed ones and drops the removed', async () => {
    const kept = await load();
    const filesBefore = kept.stats.trusted + kept.stats.read;
    const [changed, removed] = records;
    await writeSignatureFiles(signatures, generateSampleRecords(2, { seed: 77 }));
    await writeFile(
      path.join(signatures, signatureRelativePath(changed!.user_id)),
      renderSignatureFile({ ...changed!, name: 'Changed Name' }),
    );
    await rm(path.join(signatures, signatureRelativePath(removed!.user_id)));
    await commitAll(repository);
    const after = await load();
    expect(after.stats).toMatchObject({ read: 3, trusted: filesBefore - 2 });
    expect(byId(after.records)).toEqual(byId((await folderOf()).records));
    const named = (id: number) => after.records.find((record) => 'user_id' in record && record.user_id === id);
    expect(named(changed!.user_id)?.name).toBe('Changed Name');
    expect(named(removed!.user_id)).toBeUndefined();
  });

  it('are not used when another version of the rules parsed them, and every file is read again', async () => {
    await load();
    const other = await load('rules after a change to the parsing code');
    expect(other.stats.trusted).toBe(0);
    expect(other.stats.trustedColdBecause).toBe('the records were parsed by other rules');
    expect(byId(other.records)).toEqual(byId((await folderOf()).records));
    // Rewritten for the new rules: the next build reads nothing.
    expect((await load('rules after a change to the parsing code')).stats.read).toBe(0);
  });

  it('are not used when they are of another format or cut short, and a row that is not a result is read again', async () => {
    await load();
    const kept = await readFile(trustedFile);
    await writeFile(trustedFile, `{"format":"petition-blob-cache/3"}\n`);
    expect((await load()).stats.trustedColdBecause).toBe('the records are of another format');
    await load();
    // The last row's JSON cut in half: that file is read through git, the others are not.
    const rows = kept.toString('utf8');
    const lastJson = rows.lastIndexOf('{"');
    await writeFile(trustedFile, `${rows.slice(0, lastJson)}{"na"}${rows.slice(rows.indexOf('\n', lastJson))}`);
    const cut = await load();
    expect(cut.stats.read).toBeLessThanOrEqual(1);
    expect(byId(cut.records)).toEqual(byId((await folderOf()).records));
  });

  it('leave out the record cache when they served the build, removing it so it is not saved again, and the cache serves a build they did not', async () => {
    await rm(trustedFile, { force: true });
    const cold = await load(RULES, true);
    expect(cold.stats.reused).toBe(0);
    const cache = await readFile(cacheFile);
    const served = await load(RULES, true);
    expect(served.stats).toMatchObject({ reused: 0, read: 0, trusted: cold.stats.read });
    await expect(stat(cacheFile)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(cacheFile, cache);
    const byCache = await load('other rules', true);
    expect(byCache.stats).toMatchObject({ trusted: 0, reused: cold.stats.read, read: 0 });
  });
});

describe('which run’s records a build may take', () => {
  const source = { repository: 'leopards/petition', defaultBranch: 'main' };
  const ours: RunFacts = {
    id: 1,
    path: '.github/workflows/pages.yml',
    event: 'push',
    status: 'completed',
    conclusion: 'success',
    head_branch: 'main',
    head_sha: 'a'.repeat(40),
    head_repository: { full_name: 'leopards/petition' },
    repository: { full_name: 'leopards/petition' },
  };

  it('a successful run of pages.yml, signatures.yml or derive.yml on the default branch, for a push, the schedule, a manual run or an issue', () => {
    for (const workflow of ['pages.yml', 'signatures.yml', 'derive.yml'])
      for (const event of ['push', 'schedule', 'workflow_dispatch', 'issues'])
        expect(untrustedBecause({ ...ours, path: `.github/workflows/${workflow}`, event }, source)).toBeUndefined();
    expect(untrustedBecause({ ...ours, path: '.github/workflows/pages.yml@refs/heads/main' }, source)).toBeUndefined();
  });

  it('never a pull request’s run, a fork’s, another branch’s, another workflow’s, or one that did not succeed', () => {
    const refused: Array<[Partial<RunFacts>, RegExp]> = [
      [{ event: 'pull_request' }, /event pull_request/],
      [{ event: 'pull_request_target' }, /event pull_request_target/],
      [{ event: 'workflow_run' }, /event workflow_run/],
      [{ head_repository: { full_name: 'mallory/petition' } }, /another repository/],
      [{ head_repository: null }, /another repository/],
      [{ head_branch: 'patch-1' }, /ran on patch-1/],
      [{ path: '.github/workflows/ci.yml' }, /does not build the site/],
      [{ path: '.github/workflows/pages.yml.evil' }, /does not build the site/],
      [{ conclusion: 'failure' }, /did not succeed/],
      [{ status: 'in_progress', conclusion: null }, /did not succeed/],
    ];
    for (const [change, why] of refused) expect(untrustedBecause({ ...ours, ...change }, source)).toMatch(why);
  });
});

describe('finding our records among the runs’ artifacts', () => {
  let fake: FakeGitHub;
  const client = () => createClient({ token: 'ghs_test', baseUrl: fake.baseUrl, retryTimeUnitMs: 1 });

  beforeAll(async () => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', token: 'ghs_test' });
  });
  afterAll(async () => {
    await fake?.close();
  });

  /** A finished run and, when `records` is given, its records artifact. */
  function run(facts: Partial<Parameters<FakeGitHub['addWorkflowRun']>[0]>, records?: string, expired = false) {
    const added = fake.addWorkflowRun({
      path: '.github/workflows/pages.yml',
      name: 'Pages',
      event: 'push',
      head_branch: 'main',
      head_sha: 'b'.repeat(40),
      status: 'completed',
      conclusion: 'success',
      headRepository: 'leopards/petition',
      ...facts,
    });
    if (records !== undefined)
      fake.addArtifact({
        runId: added.id,
        name: RECORDS_ARTIFACT,
        files: { [RECORDS_FILE]: new TextEncoder().encode(records) },
        expired,
      });
    return added;
  }

  it('says why when no run of ours kept records', async () => {
    const found = await findRecords(client(), { repository: 'leopards/petition', defaultBranch: 'main' });
    expect(found).toEqual({ found: false, why: expect.stringMatching(/is one of ours/) });
  });

  it('takes the newest trusted run’s records, passing over newer ones from a fork, a pull request, another branch, a failed run or an expired artifact', async () => {
    const trusted = run({ event: 'issues', path: '.github/workflows/signatures.yml' }, 'ours');
    run({ event: 'schedule', path: '.github/workflows/signatures.yml' }); // nothing built: no artifact
    run({ event: 'pull_request', headRepository: 'mallory/petition', head_branch: 'main' }, 'forged by a fork');
    run({ event: 'pull_request', path: '.github/workflows/ci.yml' }, 'forged in a pull request');
    run({ head_branch: 'patch-1', event: 'workflow_dispatch' }, 'from another branch');
    run({ conclusion: 'failure' }, 'from a failed run');
    run({}, 'expired', true);
    const found = await findRecords(client(), { repository: 'leopards/petition', defaultBranch: 'main' });
    expect(found.found && { runId: found.runId, text: Buffer.from(found.bytes).toString('utf8') }).toEqual({
      runId: trusted.id,
      text: 'ours',
    });
  });

  /** `npm run restore-records -- <file>` against the fake, as pages.yml runs it: its exit code, log, file and step output. */
  async function restoreRecords(extraEnv: Record<string, string> = {}) {
    const folder = await mkdtemp(path.join(root, 'restore-'));
    const target = path.join(folder, 'records', RECORDS_FILE);
    const output = path.join(folder, 'output');
    await writeFile(output, '');
    const finished = await runTracked(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'scripts/commands/restore-records.ts'), target],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          GITHUB_TOKEN: 'ghs_test',
          GITHUB_REPOSITORY: 'leopards/petition',
          GITHUB_API_URL: fake.baseUrl,
          PETITION_DEFAULT_BRANCH: 'main',
          GITHUB_OUTPUT: output,
          ...extraEnv,
        },
      },
    );
    const written = await readFile(target, 'utf8').catch(() => undefined);
    return { ...finished, written, output: await readFile(output, 'utf8') };
  }

  it('npm run restore-records writes the newest trusted records parsed by this checkout’s rules, and says found=true', async () => {
    const records = `${JSON.stringify({ format: TRUSTED_FORMAT, rules: await trustedRulesFingerprint(projectRoot) })}\n`;
    const newest = run({ event: 'push' }, records);
    const restored = await restoreRecords();
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`Records of our own build restored from run ${newest.id}`);
    expect(restored.written).toBe(records);
    expect(restored.output).toBe('found=true\n');
  });

  it('npm run restore-records leaves out records parsed by other rules, says why, and says found=false', async () => {
    const records = `${JSON.stringify({ format: TRUSTED_FORMAT, rules: 'the rules before a change to the parsing code' })}\n`;
    const newest = run({ event: 'push' }, records);
    const restored = await restoreRecords();
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(
      `The records of our own build from run ${newest.id} (commit bbbbbbbbbbbb, artifact`,
    );
    expect(restored.stdout).toContain('are not used: the records were parsed by other rules.');
    expect(restored.written).toBeUndefined();
    expect(restored.output).toBe('found=false\n');
  });

  it('npm run restore-records goes on without records when GitHub refuses, and stops only when it is not set up', async () => {
    const refused = await restoreRecords({ GITHUB_TOKEN: 'ghs_wrong' });
    expect(refused.code, refused.stderr).toBe(0);
    expect(refused.stdout).toMatch(
      /could not be restored \(HTTP 401 from GET http:\/\/127\.0\.0\.1:\d+\/repos\/leopards\/petition\/actions\/runs/,
    );
    expect(refused.output).toBe('found=false\n');
    const unset = await restoreRecords({ PETITION_DEFAULT_BRANCH: '' });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('PETITION_DEFAULT_BRANCH set');
    expect(unset.output).toBe('');
  });
});
