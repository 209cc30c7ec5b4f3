/**
 * The repository the scale benchmark generates (scripts/tooling/bench/signature-history.ts,
 * `npm run bench -- --repository-scale`) must be what the project reads: every file where the
 * loaders look for it, parsed without a complaint, in the processor's one-commit-per-run history.
 * The figures are the benchmark's business; this checks the repository at a tiny size.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { isOffline } from '../../scripts/core/offline-signature.ts';
import { signatureRelativePath, type SignatureRecord } from '../../scripts/core/signature-file.ts';
import { loadSignaturesFromGit } from '../../scripts/store/load-signatures-git.ts';
import { gitStore } from '../../scripts/store/signature-store.ts';
import { extrapolate } from '../../scripts/tooling/bench/repository-scale-report.ts';
import {
  historyUserId,
  writeSignatureHistory,
  type HistorySummary,
} from '../../scripts/tooling/bench/signature-history.ts';

import { projectRoot } from '../helpers/site.ts';

const run = promisify(execFile);
const git = async (repository: string, ...args: string[]) =>
  (await run('git', ['-C', repository, ...args], { maxBuffer: 1 << 26 })).stdout;

describe('the generated repository of the scale benchmark', () => {
  let work: string;
  let repository: string;
  let summary: HistorySummary;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'petition-history-'));
    repository = path.join(work, 'origin.git');
    summary = await writeSignatureHistory(repository, { signatures: 2000, perCommit: 500, offlineEvery: 2 });
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds one commit per processor run and one per offline batch, on top of the first', async () => {
    expect(summary).toMatchObject({ commits: 7, githubSignatures: 2000, offlineSignatures: 80 });
    expect(Number(await git(repository, 'rev-list', '--count', 'HEAD'))).toBe(7);
    const subjects = (await git(repository, 'log', '--format=%s', '--reverse')).trim().split('\n');
    expect(subjects.filter((subject) => subject === 'Add 500 signatures')).toHaveLength(4);
    expect(subjects.filter((subject) => subject.startsWith('Add batch sample-'))).toHaveLength(2);
  });

  it('is read by the Pages loader as every signature, none skipped', async () => {
    const loaded = await loadSignaturesFromGit({ repository });
    expect(loaded.skipped).toEqual([]);
    expect(loaded.records).toHaveLength(2080);
    expect(loaded.records.filter(isOffline)).toHaveLength(80);
    const github = loaded.records.filter((record): record is SignatureRecord => !isOffline(record));
    expect(new Set(github.map((record) => record.user_id)).size).toBe(2000);
    expect(new Set(github.map((record) => record.issue)).size).toBe(2000);
  });

  it("gives the processor's git store a signer's file, and nothing for an id that did not sign", async () => {
    const store = gitStore({ repository });
    const files = await store.readMany([historyUserId(0), historyUserId(1999), 200_000_001]);
    expect(files.get(historyUserId(0))).toContain(`user_id: ${historyUserId(0)}\n`);
    expect(files.get(historyUserId(1999))).toContain('issue: 2000\n');
    expect(files.get(200_000_001)).toBeUndefined();
  });

  it("is checked out by CI's checkout inputs with every file but the signature files", async () => {
    const ci = YAML.parse(await readFile(path.join(projectRoot, '.github/workflows/ci.yml'), 'utf8'));
    const checkout = ci.jobs.check.steps.find((step: { uses?: string }) => step.uses?.startsWith('actions/checkout@'));
    const patterns = String(checkout.with['sparse-checkout']).split('\n').filter(Boolean);
    expect(checkout.with['sparse-checkout-cone-mode']).toBe(false);
    // What actions/checkout runs with these inputs: a partial clone, the patterns, the checkout.
    const clone = path.join(work, 'ci-checkout');
    await run('git', [
      'clone',
      '-q',
      '--no-checkout',
      `--filter=${checkout.with.filter}`,
      `file://${repository}`,
      clone,
    ]);
    await git(clone, 'sparse-checkout', 'set', '--no-cone', ...patterns);
    await git(clone, 'checkout', '-q', 'main');
    const entries = ((await readdir(clone, { recursive: true })) as string[])
      .map((file) => file.split(path.sep).join('/'))
      .filter((file) => file !== '.git' && !file.startsWith('.git/'));
    const files = entries.filter((file) => !entries.some((other) => other.startsWith(`${file}/`)));
    const tracked = (await git(repository, 'ls-tree', '-r', '--name-only', 'HEAD')).trim().split('\n');
    expect(files.sort()).toEqual(tracked.filter((file) => !/^signatures\/[^/]+\//.test(file)).sort());
    expect(files).toContain('signatures/README.md');
    await rm(clone, { recursive: true, force: true });
  });

  it.for([
    ['signatures.yml', 'process'],
    ['pages.yml', 'build'],
  ] as const)(
    "is checked out by %s's checkout step with a sparse index: signatures/ one entry, and a signer's file still read through git",
    async ([file, job]) => {
      const workflow = YAML.parse(await readFile(path.join(projectRoot, '.github/workflows', file), 'utf8'));
      const checkout = workflow.jobs[job].steps.find((step: { uses?: string }) =>
        step.uses?.startsWith('actions/checkout@'),
      );
      const env = { ...process.env, ...checkout.env };
      const sparse = String(checkout.with['sparse-checkout']).split('\n').filter(Boolean);
      // What actions/checkout runs with these inputs, each git command in the step's environment.
      const clone = path.join(work, `${job}-checkout`);
      const inClone = (...args: string[]) => run('git', ['-C', clone, ...args], { env, maxBuffer: 1 << 26 });
      await run('git', ['init', '-q', clone], { env });
      await inClone('remote', 'add', 'origin', `file://${repository}`);
      await inClone(
        'fetch',
        '-q',
        '--no-tags',
        `--filter=${checkout.with.filter}`,
        '--depth=1',
        'origin',
        '+refs/heads/main:refs/remotes/origin/main',
      );
      await inClone('sparse-checkout', 'set', ...sparse);
      await inClone('checkout', '-q', '--force', '-B', 'main', 'refs/remotes/origin/main');
      // Written sparse (git's "sdir" extension); a git without index.sparse would expand it on reading.
      expect((await readFile(path.join(clone, '.git/index'))).includes('sdir')).toBe(true);
      const indexed = (await inClone('ls-files', '--sparse')).stdout.trim().split('\n');
      expect(indexed).toContain('signatures/');
      expect(indexed.filter((entry) => entry.startsWith('signatures/'))).toEqual(['signatures/']);
      expect(indexed).toContain('content/settings.json');
      // The processor's reads and the Pages loader's fetch go through git's objects, not the index.
      const files = await gitStore({ repository: clone }).readMany([historyUserId(7)]);
      expect(files.get(historyUserId(7))).toContain(`user_id: ${historyUserId(7)}\n`);
      await rm(clone, { recursive: true, force: true });
    },
  );

  it('puts each signer at the sharded path of their id, and two runs apart differ by their 1,000 files', async () => {
    const runs = (await git(repository, 'rev-list', '-n', '3', '--grep=^Add [0-9]* signatures$', 'HEAD'))
      .trim()
      .split('\n');
    const changed = (await git(repository, 'diff-tree', '-r', '--name-only', runs[2]!, runs[0]!)).trim().split('\n');
    const github = changed.filter((file) => !file.startsWith('signatures/offline/'));
    expect(github).toHaveLength(1000);
    const expected = Array.from(
      { length: 1000 },
      (_, i) => `signatures/${signatureRelativePath(historyUserId(1000 + i))}`,
    );
    expect(new Set(github)).toEqual(new Set(expected));
  });
});

describe('the ids and the extrapolation of the scale benchmark', () => {
  it('gives every signer a distinct GitHub-like id', () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => historyUserId(i));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => Number.isSafeInteger(id) && id >= 1 && id <= 200_000_000)).toBe(true);
  });

  it('extends the line through the two largest sizes and says where it meets a limit', () => {
    const fit = extrapolate(
      [
        [1_000_000, 300],
        [3_000_000, 700],
      ],
      10_000_000,
      1000,
    );
    expect(fit.perSignature).toBeCloseTo(0.0002);
    expect(fit.value).toBeCloseTo(2100);
    expect(fit.reachedAt).toBeCloseTo(4_500_000);
    expect(extrapolate([[2000, 10]], 4000).value).toBeCloseTo(20);
  });
});
