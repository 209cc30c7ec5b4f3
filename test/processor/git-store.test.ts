import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { folderStore, gitStore } from '../../scripts/store/signature-store.ts';
import { startFakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { makeCheckout, runProcessor, signatureFiles, signBody } from './harness.ts';

const run = promisify(execFile);
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-git-store-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  run(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd,
    },
  );
const signer = (id: number) => ({
  name: `Signer ${id}`,
  country: 'DE',
  login: `signer${id}`,
  user_id: id,
  issue: id,
  signed_at: '2026-11-23T19:00:00Z',
  letter_sha256: '',
  reason: '',
});

/** An origin with three signatures, and a blobless clone with signatures/ left out, as the Action makes it. */
async function sparseClone(): Promise<{ origin: string; clone: string }> {
  const origin = path.join(work, 'origin');
  await mkdir(origin);
  await git(origin, 'init', '-q');
  for (const id of [101, 2202, 30303]) {
    const file = path.join(origin, 'signatures', signatureRelativePath(id));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, renderSignatureFile(signer(id)));
  }
  await mkdir(path.join(origin, 'content'));
  await writeFile(path.join(origin, 'content/settings.json'), '{}');
  await git(origin, 'add', '-A');
  await git(origin, 'commit', '-qm', 'Signatures');
  await git(origin, 'config', 'uploadpack.allowFilter', 'true');
  await git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  const clone = path.join(work, 'clone');
  await git(work, 'clone', '-q', '--filter=blob:none', '--sparse', `file://${origin}`, clone);
  await git(clone, 'sparse-checkout', 'set', 'content', '.github');
  return { origin, clone };
}

describe('reading signatures from git in a sparse, blobless checkout', () => {
  it('finds the files a run asks for, and only those, without the folder being checked out', async () => {
    const { origin, clone } = await sparseClone();
    await expect(stat(path.join(clone, 'signatures'))).rejects.toThrow();
    const missingBefore = (await git(clone, 'rev-list', '--objects', '--all', '--missing=print')).stdout
      .split('\n')
      .filter((line) => line.startsWith('?')).length;
    expect(missingBefore).toBe(3); // no signature blob was downloaded by the clone

    const store = gitStore({ repository: clone });
    const files = await store.readMany([2202, 4444]);
    expect(files.get(2202)).toBe(renderSignatureFile(signer(2202)));
    expect(files.get(4444)).toBeUndefined();
    expect(await store.count()).toBe(3);

    const missingAfter = (await git(clone, 'rev-list', '--objects', '--all', '--missing=print')).stdout
      .split('\n')
      .filter((line) => line.startsWith('?')).length;
    expect(missingAfter).toBe(2); // exactly the one blob that was read was fetched

    // The same answers as reading the files of a full checkout.
    const full = folderStore(path.join(origin, 'signatures'));
    expect(await full.readMany([2202, 4444])).toEqual(files);
    expect(await full.count()).toBe(3);
  });

  it('says what failed when git cannot read the repository', async () => {
    const store = gitStore({ repository: work });
    await expect(store.readMany([1])).rejects.toThrow(/git ls-tree failed/);
  });
});

describe('the processor on a sparse, blobless checkout', () => {
  it('sees an existing signature through git and updates it, as it would from the files', async () => {
    const anna = { login: 'apetrova', id: 1234567 };
    const fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [{ body: signBody({ name: 'Anna', country: 'RU' }), labels: ['signature'], user: anna }],
    });
    try {
      const checkout = await makeCheckout(fake);
      await runProcessor(fake, checkout);
      // The branch now holds Anna's file. Mirror it into a git repository and clone it sparsely.
      const origin = path.join(work, 'mirror');
      await mkdir(origin);
      await git(origin, 'init', '-q');
      for (const [file, content] of Object.entries(signatureFiles(fake))) {
        await mkdir(path.dirname(path.join(origin, file)), { recursive: true });
        await writeFile(path.join(origin, file), content);
      }
      await git(origin, 'add', '-A');
      await git(origin, 'commit', '-qm', 'Signatures');
      await git(origin, 'config', 'uploadpack.allowFilter', 'true');
      const clone = path.join(work, 'mirror-clone');
      await git(work, 'clone', '-q', '--filter=blob:none', '--sparse', `file://${origin}`, clone);
      await rm(path.join(checkout, 'signatures'), { recursive: true, force: true });

      fake.addIssue({ body: signBody({ name: 'Anna Petrova', country: 'RU' }), labels: ['signature'], user: anna });
      const summary = await runProcessor(fake, checkout, { signatures: gitStore({ repository: clone }) });
      expect(summary.counts.updated).toBe(1);
      expect(Object.values(signatureFiles(fake))[0]).toContain('name: "Anna Petrova"');
      // The receipt links the receipt page of the signer's id (scripts/site/receipt-pages.ts).
      expect(fake.issue(2).comments.at(-1)!.body).toContain('/signatures/find/567/#s1234567');
    } finally {
      await fake.close();
    }
  });
});
