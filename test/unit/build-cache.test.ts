/**
 * The build cache of the test helpers (test/helpers/build-cache.ts) shares a build only between
 * identical inputs, makes it once even when asked twice at once, and catches a test that changes a
 * shared build in place. Fake builds (a function writing files) stand in for Eleventy here.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCacheRoot, checkBuildCache, folderDigest, sharedBuild, stableJson } from '../helpers/build-cache.ts';

/** A fake build: writes two pages, counts its runs, and takes a moment as a real one would. */
function fakeBuild(text: string) {
  const counter = { runs: 0 };
  const make = async (output: string) => {
    counter.runs += 1;
    await new Promise((resolve) => setTimeout(resolve, 150));
    await mkdir(path.join(output, 'sub'), { recursive: true });
    await writeFile(path.join(output, 'index.html'), text);
    await writeFile(path.join(output, 'sub/page.html'), `${text} again`);
    return `built ${text}`;
  };
  return { counter, make };
}

const uniqueKey = (label: string) => `${label}-${process.pid}-${Math.random().toString(16).slice(2)}`;

describe('the shared build cache of the tests', () => {
  it('makes a build once for two callers asking at the same time, each getting a copy of its own', async () => {
    const { counter, make } = fakeBuild('one');
    const key = uniqueKey('same-time');
    const [first, second] = await Promise.all([sharedBuild(key, make), sharedBuild(key, make)]);
    expect(counter.runs).toBe(1);
    expect(first.output).not.toBe(second.output);
    expect(await readFile(path.join(first.output, 'sub/page.html'), 'utf8')).toBe('one again');
    expect(await readFile(path.join(second.output, 'index.html'), 'utf8')).toBe('one');
    expect(second.log).toBe('built one');
    // Removing one copy, as tests do when they end, leaves the other and the cache whole.
    await rm(path.dirname(first.output), { recursive: true });
    expect(await readFile(path.join(second.output, 'index.html'), 'utf8')).toBe('one');
    const third = await sharedBuild(key, make);
    expect(counter.runs).toBe(1);
    expect(await readFile(path.join(third.output, 'index.html'), 'utf8')).toBe('one');
  });

  it('does not keep a build that failed: the next caller builds again', async () => {
    const key = uniqueKey('failed');
    await expect(
      sharedBuild(key, () => Promise.reject(new Error('The Eleventy build failed (exit 1)'))),
    ).rejects.toThrow(/exit 1/);
    const { counter, make } = fakeBuild('two');
    const built = await sharedBuild(key, make);
    expect(counter.runs).toBe(1);
    expect(await readFile(path.join(built.output, 'index.html'), 'utf8')).toBe('two');
  });

  it('fails, naming the file, when a test changed a shared build in place, at the next use and at the end of the run', async () => {
    const { make } = fakeBuild('three');
    const key = uniqueKey('changed');
    const built = await sharedBuild(key, make);
    // A hard link: writing to the copy writes to the cache's file.
    await writeFile(path.join(built.output, 'sub/page.html'), 'changed in place');
    await expect(sharedBuild(key, make)).rejects.toThrow(/changed sub\/page\.html in a shared build.*copy the output/s);
    const problems = await checkBuildCache(buildCacheRoot());
    expect(problems.filter((problem) => problem.includes(key))).toEqual([
      expect.stringMatching(/changed sub\/page\.html/),
    ]);
    // Leave no broken entry for the end-of-run check (test/global-setup.ts).
    await rm(path.join(buildCacheRoot(), key), { recursive: true });
    expect((await stat(built.output)).isDirectory()).toBe(true);
  });

  it('tells folders apart by their files, names and links, never by where they are', async () => {
    const folder = async (files: Record<string, string>) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'petition-digest-'));
      for (const [name, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
        await writeFile(path.join(dir, name), text);
      }
      return dir;
    };
    const a = await folderDigest(await folder({ '01/02/1.md': 'x', 'README.md': 'r' }));
    expect(await folderDigest(await folder({ 'README.md': 'r', '01/02/1.md': 'x' }))).toBe(a);
    expect(await folderDigest(await folder({ '01/02/1.md': 'y', 'README.md': 'r' }))).not.toBe(a);
    expect(await folderDigest(await folder({ '01/03/1.md': 'x', 'README.md': 'r' }))).not.toBe(a);
    expect(await folderDigest(await folder({ '01/02/1.md': 'x', 'README.md': 'r', '.gitkeep': '' }))).not.toBe(a);
    expect(stableJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(stableJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(stableJson({ a: [2, 1] })).not.toBe(stableJson({ a: [1, 2] }));
  });
});
