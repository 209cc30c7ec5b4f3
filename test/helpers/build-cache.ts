/**
 * Builds shared between the test files of one run: a build whose inputs are identical to one made
 * earlier in the run (same project, same signature files byte for byte, same settings, same
 * environment) is made once, kept under the run's temporary folder keyed by the SHA-256 of those
 * inputs, and given to every later caller as a hard-linked copy of its own.
 *
 * - Made once even when two files ask at the same moment: the first takes a lock (an exclusive
 *   `mkdir`), the others wait for it; a lock whose holder died is taken over.
 * - Read-only: a caller may read its copy and remove it, not change a file in place (a hard link
 *   shares the file with the cache). Every entry records each file's size and modification time; each
 *   reuse, and the end of the run (test/global-setup.ts), checks them and fails naming the file a
 *   test changed. Tests that change a build copy it first (`cp`), as test/site/verify.test.ts does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFile,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

const CACHE_FOLDER = 'petition-build-cache';

/** Where this run keeps shared builds (under TMPDIR, which test/global-setup.ts makes per run). */
export function buildCacheRoot(tmp = os.tmpdir()): string {
  return path.join(tmp, CACHE_FOLDER);
}

/** SHA-256 of a folder's files: every relative path, file content and link target, in order. */
export async function folderDigest(folder: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = ((await readdir(folder, { recursive: true })) as string[]).sort();
  for (const entry of entries) {
    const full = path.join(folder, entry);
    const info = await lstat(full);
    if (info.isDirectory()) hash.update(`d ${entry}\0`);
    else if (info.isSymbolicLink()) hash.update(`l ${entry}\0${await readlink(full)}\0`);
    else hash.update(`f ${entry}\0${info.size}\0`).update(await readFile(full));
  }
  return hash.digest('hex');
}

/** A JSON text of `value` with object keys sorted, so that equal inputs give equal keys. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

type Manifest = Record<string, string>;

/**
 * Each file's size and modification time: what an in-place write changes. (Not its ctime: making
 * or removing a hard link changes that.)
 */
async function manifestOf(folder: string): Promise<Manifest> {
  const manifest: Manifest = {};
  for (const entry of ((await readdir(folder, { recursive: true })) as string[]).sort()) {
    const info = await lstat(path.join(folder, entry));
    if (!info.isDirectory()) manifest[entry] = `${info.size} ${info.mtimeMs}`;
  }
  return manifest;
}

/** Names the first file of a cache entry that changed since it was made; undefined when none did. */
export async function changedFile(entry: string): Promise<string | undefined> {
  const recorded = JSON.parse(await readFile(path.join(entry, 'manifest.json'), 'utf8')) as Manifest;
  const now = await manifestOf(path.join(entry, 'output'));
  for (const file of new Set([...Object.keys(recorded), ...Object.keys(now)]))
    if (recorded[file] !== now[file]) return file;
  return undefined;
}

/** Checks every entry of the run's cache; answers one message per entry a test changed. */
export async function checkBuildCache(root = buildCacheRoot()): Promise<string[]> {
  const problems: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const entry = path.join(root, name);
    if (name.endsWith('.lock') || !(await exists(path.join(entry, 'manifest.json')))) continue;
    const file = await changedFile(entry);
    if (file) problems.push(changedMessage(entry, file));
  }
  return problems;
}

function changedMessage(entry: string, file: string): string {
  return (
    `A test changed ${file} in a shared build (${entry}) in place: builds from test/helpers/site.ts are ` +
    'hard-linked copies of one build; copy the output (fs.cp) before changing a file in it.'
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** What a build produced: its output folder and everything it printed. */
export interface CachedBuild {
  output: string;
  log: string;
}

/** How long a waiter sleeps between looks at a lock; builds take seconds. */
const POLL_MS = 100;

async function holderAlive(lock: string): Promise<boolean> {
  const pid = Number(await readFile(path.join(lock, 'pid'), 'utf8').catch(() => ''));
  // No pid yet: the holder is between its mkdir and its write.
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the entry's lock, waiting while another live process holds it; false once the entry exists. */
async function lockOrWait(entry: string, lock: string): Promise<boolean> {
  for (;;) {
    if (await exists(path.join(entry, 'manifest.json'))) return false;
    try {
      await mkdir(lock);
      await writeFile(path.join(lock, 'pid'), String(process.pid));
      // The entry may have been finished between the look above and the mkdir.
      if (await exists(path.join(entry, 'manifest.json'))) {
        await rm(lock, { recursive: true, force: true });
        return false;
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!(await holderAlive(lock))) await rm(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The build whose inputs hash to `key`, made by `make(output)` (which answers the build's log)
 * the first time in this run, and a hard-linked copy of it in a fresh folder (`…/_site`) every
 * time. A failed build is not kept: the next caller tries again and gets the error itself.
 */
export async function sharedBuild(key: string, make: (output: string) => Promise<string>): Promise<CachedBuild> {
  const root = buildCacheRoot();
  await mkdir(root, { recursive: true });
  const entry = path.join(root, key);
  const lock = `${entry}.lock`;
  const started = Date.now();
  const made = await lockOrWait(entry, lock);
  if (made) {
    try {
      const making = await mkdtemp(path.join(root, `${key.slice(0, 16)}-making-`));
      const log = await make(path.join(making, 'output'));
      await writeFile(path.join(making, 'log.txt'), log);
      await writeFile(
        path.join(making, 'manifest.json'),
        JSON.stringify(await manifestOf(path.join(making, 'output'))),
      );
      await rename(making, entry);
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  } else {
    const changed = await changedFile(entry);
    if (changed) throw new Error(changedMessage(entry, changed));
  }
  const output = path.join(await mkdtemp(path.join(os.tmpdir(), 'petition-build-')), '_site');
  await linkTree(path.join(entry, 'output'), output);
  // PETITION_TEST_BUILD_LOG=<file>: one line a build, to count what the run made and reused.
  if (process.env.PETITION_TEST_BUILD_LOG)
    await appendFile(
      process.env.PETITION_TEST_BUILD_LOG,
      `${JSON.stringify({ key, made, ms: Date.now() - started, file: expect.getState().testPath })}\n`,
    );
  return { output, log: await readFile(path.join(entry, 'log.txt'), 'utf8') };
}

/** A copy of `from` at `to` whose files are hard links (`cp -al`); a plain copy where that is missing. */
async function linkTree(from: string, to: string): Promise<void> {
  try {
    await promisify(execFile)('cp', ['-al', from, to]);
  } catch {
    await rm(to, { recursive: true, force: true });
    await cp(from, to, { recursive: true });
  }
}
