import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { folderStore, gitStore, NOT_A_SIGNATURE_FILE } from '../../scripts/store/signature-store.ts';
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

    const missingAfter = (await git(clone, 'rev-list', '--objects', '--all', '--missing=print')).stdout
      .split('\n')
      .filter((line) => line.startsWith('?')).length;
    expect(missingAfter).toBe(2); // exactly the one blob that was read was fetched

    // The same answers as reading the files of a full checkout.
    const full = folderStore(path.join(origin, 'signatures'));
    expect(await full.readMany([2202, 4444])).toEqual(files);
  });

  it('says what failed when git cannot read the repository', async () => {
    const store = gitStore({ repository: work });
    await expect(store.readMany([1])).rejects.toThrow(/git ls-tree failed/);
  });
});

const anna = { login: 'apetrova', id: 1234567 };

/** The fake GitHub of leopards/petition with one open issue: Anna signs, from Russia. */
function annaSigns() {
  return startFakeGitHub({
    owner: 'leopards',
    repo: 'petition',
    issues: [{ body: signBody({ name: 'Anna', country: 'RU' }), labels: ['signature'], user: anna }],
  });
}

/** The objects a clone lacks (a blobless clone fetches blobs when asked). */
async function missingObjects(clone: string): Promise<number> {
  const listing = (await git(clone, 'rev-list', '--objects', '--all', '--missing=print')).stdout;
  return listing.split('\n').filter((line) => line.startsWith('?')).length;
}

describe("what is at a signer's path but cannot be their signature file", () => {
  const at = (root: string, id: number) => path.join(root, 'signatures', signatureRelativePath(id));
  /** 101 a signature; 2202 a link to /dev/zero; 30303 a file of 20 KB; 4040 a folder. */
  async function oddOrigin(): Promise<string> {
    const origin = path.join(work, 'odd-origin');
    await mkdir(origin);
    await git(origin, 'init', '-q');
    for (const id of [101, 2202, 30303]) await mkdir(path.dirname(at(origin, id)), { recursive: true });
    await writeFile(at(origin, 101), renderSignatureFile(signer(101)));
    await symlink('/dev/zero', at(origin, 2202));
    await writeFile(at(origin, 30303), `---\nname: "${'x'.repeat(20_000)}"\n---\n`);
    await mkdir(at(origin, 4040), { recursive: true });
    await writeFile(path.join(at(origin, 4040), 'inside.md'), 'a file in a folder named like a signature');
    await git(origin, 'add', '-A');
    await git(origin, 'commit', '-qm', 'Odd entries');
    await git(origin, 'config', 'uploadpack.allowFilter', 'true');
    await git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
    return origin;
  }

  it('is neither followed nor read whole, through git or from the folder: a link, a big file, a folder', async () => {
    const origin = await oddOrigin();
    const clone = path.join(work, 'odd-clone');
    await git(work, 'clone', '-q', '--filter=blob:none', '--sparse', `file://${origin}`, clone);
    expect(await missingObjects(clone)).toBe(4);

    const expected = new Map([
      [101, renderSignatureFile(signer(101))],
      [2202, NOT_A_SIGNATURE_FILE],
      [30303, NOT_A_SIGNATURE_FILE],
      [4040, NOT_A_SIGNATURE_FILE],
      [5555, undefined],
    ]);
    const ids = [...expected.keys()];
    expect(await gitStore({ repository: clone }).readMany(ids)).toEqual(expected);
    // The link's blob and the folder's file were not fetched; the signature and the big file were.
    expect(await missingObjects(clone)).toBe(2);
    expect(await folderStore(path.join(origin, 'signatures')).readMany(ids)).toEqual(expected);
  });

  it('from the folder, a pipe is not opened (it would wait for a writer forever)', async () => {
    const folder = await mkdtemp(path.join(work, 'pipe-'));
    await mkdir(path.dirname(path.join(folder, signatureRelativePath(6060))), { recursive: true });
    await run('mkfifo', [path.join(folder, signatureRelativePath(6060))]);
    expect(await folderStore(folder).readMany([6060])).toEqual(new Map([[6060, NOT_A_SIGNATURE_FILE]]));
  });

  it('is replaced by the signature of its signer, who signs as if to update it', async () => {
    const fake = await annaSigns();
    try {
      const checkout = await makeCheckout(fake);
      await mkdir(path.dirname(at(checkout, anna.id)), { recursive: true });
      await symlink('/dev/zero', at(checkout, anna.id));
      const summary = await runProcessor(fake, checkout);
      expect(summary.counts.updated).toBe(1);
      expect(signatureFiles(fake)[`signatures/${signatureRelativePath(anna.id)}`]).toContain('name: "Anna"');
    } finally {
      await fake.close();
    }
  });
});

describe('the processor on a sparse, blobless checkout', () => {
  it('sees an existing signature through git and updates it, as it would from the files', async () => {
    const fake = await annaSigns();
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
