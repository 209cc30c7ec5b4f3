/**
 * The fake GitHub's blobs kept in a real bare repository (scripts/tooling/fake-github/git-database.ts):
 * reading a whole tree's blobs at once gives what reading them one by one gives.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitBlobs, readBlobsAtOnce } from '../../scripts/tooling/fake-github/git-database.ts';

let folder: string;
let gitDir: string;
const git = (args: string[], input?: string | Buffer) =>
  execFileSync('git', ['--git-dir', gitDir, ...args], { input })
    .toString('utf8')
    .trim();

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'petition-fake-git-'));
  gitDir = path.join(folder, 'repository.git');
  execFileSync('git', ['init', '-q', '--bare', gitDir]);
});
afterAll(() => rm(folder, { recursive: true, force: true }));

describe('the fake GitHub’s blobs in a repository', () => {
  it('read at once are the blobs read one by one, and are then answered without git', async () => {
    const text = git(['hash-object', '-w', '--stdin'], 'name: "Анна"\ncountry: 中国\n');
    const empty = git(['hash-object', '-w', '--stdin'], '');
    const binary = git(['hash-object', '-w', '--stdin'], Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00, 0x0a]));
    const tree = git(['mktree'], `100644 blob ${text}\tsigned.md\n`);
    const missing = '0123456789abcdef0123456789abcdef01234567';
    const wanted = [text, empty, binary, tree, missing, 'not a sha', text];

    const oneByOne = new GitBlobs(gitDir);
    const expected = wanted.map((sha) => oneByOne.get(sha));
    expect(expected.slice(0, 5).map((content) => content !== undefined)).toEqual([true, true, true, false, false]);

    const atOnce = new GitBlobs(gitDir);
    readBlobsAtOnce(atOnce, wanted);
    // The repository is gone: what was read at once is answered from memory.
    await rm(gitDir, { recursive: true, force: true });
    expect([text, empty, binary].map((sha) => atOnce.get(sha))).toEqual(expected.slice(0, 3));
    expect(atOnce.get(text)).toBe('name: "Анна"\ncountry: 中国\n');
    expect(atOnce.has(tree)).toBe(false);
    expect(atOnce.has(missing)).toBe(false);
  });

  it('in memory, not in a repository, are all there already: reading at once changes nothing', () => {
    const blobs = new Map([['a'.repeat(40), 'text']]);
    readBlobsAtOnce(blobs, ['a'.repeat(40), 'b'.repeat(40)]);
    expect([...blobs]).toEqual([['a'.repeat(40), 'text']]);
  });
});
