/**
 * The git half of the git loader (load-signatures-git.ts): the signature files a commit's tree
 * lists, and their texts read through `git cat-file --batch`, with the missing blobs of a partial
 * clone fetched first. What the tree lists is the truth every cached text is compared with.
 */
import { spawn } from 'node:child_process';
import { fetchBlobs, forEachGitEntry, runGit, type GitOptions } from './signature-store.ts';

/** A signature file's path inside the folder: every *.md but the folder's README.md, as listSignatureFiles reads. */
const isSignaturePath = (file: string) => file.endsWith('.md') && file !== 'README.md';

/** The tree id of `folder` at `ref`, or undefined when the commit has no such folder. */
export async function folderTree(options: GitOptions, ref: string, folder: string): Promise<string | undefined> {
  const out = await runGit(['ls-tree', '-z', ref, '--', folder], options);
  const match = /^040000 tree ([0-9a-f]{40,64})\t/.exec(out.toString('utf8'));
  return match?.[1];
}

/** ls-tree's entry parts compared as bytes: "blob " after the mode, a path ending ".md", a regular file's mode. */
const BLOB_TYPE_THEN_SPACE = Buffer.from('blob ', 'latin1');
const MD = Buffer.from('.md', 'latin1');
const REGULAR_FILE = Buffer.from('100644 ', 'latin1');
const EXECUTABLE = Buffer.from('100755 ', 'latin1');
const startsWith = (bytes: Uint8Array, at: number, part: Uint8Array) => {
  for (let index = 0; index < part.length; index += 1) if (bytes[at + index] !== part[index]) return false;
  return true;
};
/** Whether `bytes` just before `end` are `part`. */
const endsWith = (bytes: Uint8Array, end: number, part: Uint8Array) => startsWith(bytes, end - part.length, part);
/** Whether the mode (with its space) at `bytes[start, typeStart)` is `mode`. */
const isMode = (bytes: Uint8Array, start: number, typeStart: number, mode: Uint8Array) =>
  typeStart - start === mode.length && startsWith(bytes, start, mode);

/** The signature files of a tree, as flat lists (a million small objects cost more). */
export interface TreeFiles {
  files: string[];
  blobs: string[];
  /** Not a regular file (a symbolic link or submodule): skipped, as it holds no signature. */
  irregular: boolean[];
}

/**
 * Every signature file of a tree: the truth every cached row is compared with. The listing is read
 * entry by entry from git's bytes, each path and id its own small string: a million entries are a
 * hundred megabytes of text, which a string of the whole listing split into entries would keep
 * alive as long as any path taken from it.
 */
export async function listTree(options: GitOptions, tree: string): Promise<TreeFiles> {
  const listed: TreeFiles = { files: [], blobs: [], irregular: [] };
  // Each entry: "<mode> <type> <id>\t<path>\0", read as it streams in: at three million files the
  // listing is 225 MB, which held whole sat beside the records being read.
  // The mode and type are compared as bytes, and only the id and path become strings: splitting
  // each entry's head into three strings cost about 0.3 s of a million.
  await forEachGitEntry(options, ['ls-tree', '-r', '-z', tree], 0, (out, start, end) => {
    const tab = out.indexOf(0x09, start);
    if (tab < 0 || tab >= end) return;
    const typeStart = out.indexOf(0x20, start) + 1;
    if (typeStart === 0 || typeStart >= tab || !startsWith(out, typeStart, BLOB_TYPE_THEN_SPACE)) return;
    const idStart = typeStart + BLOB_TYPE_THEN_SPACE.length;
    if (!endsWith(out, end, MD)) return;
    const file = out.toString('utf8', tab + 1, end);
    if (!isSignaturePath(file)) return;
    listed.files.push(file);
    listed.blobs.push(out.toString('latin1', idStart, tab));
    listed.irregular.push(!(isMode(out, start, typeStart, REGULAR_FILE) || isMode(out, start, typeStart, EXECUTABLE)));
  });
  return listed;
}

/**
 * Reads blobs through `git cat-file --batch`, streaming: `onBlob` gets each one's index and
 * bytes, and nothing is held beyond the blob being read. One `cat-file` process: git inflates on
 * the second core while this thread parses. Two, over the halves of the list, were faster when
 * blobs were asked for in path order (git then rebuilt delta chains); in pack order (packOrder)
 * a million blobs took as long through one (15.2–17.8 s against 16.8–19.7 s, alternated), and the
 * second process's 100–150 MB of memory was most of what took the first build over 1 GB.
 * In a partial clone the missing blobs are fetched first in one request, as git does before a
 * checkout.
 */
export async function readBlobs(
  options: GitOptions,
  blobs: readonly string[],
  onBlob: (index: number, bytes: Buffer) => void,
  fetchMissing: boolean,
): Promise<void> {
  const count = blobs.length;
  if (count === 0) return;
  if (fetchMissing) await fetchBlobs(options, `${blobs.join('\n')}\n`);
  const order = count >= PACK_ORDER_FROM ? await packOrder(options, blobs) : undefined;
  const at = (position: number) => (order ? order[position]! : position);
  let input = '';
  for (let position = 0; position < count; position += 1) input += `${blobs[at(position)]}\n`;
  await catFile(options, input, count, (index, text) => onBlob(at(index), text));
}

/** From this many blobs on, they are asked for in the order git stored them (see packOrder). */
const PACK_ORDER_FROM = 10_000;

/**
 * The positions of `blobs` in the order the repository's packs hold them. Git stores similar
 * files as deltas of one another; asked for in path order, a million signature files made
 * `cat-file` rebuild delta chains over and over (21 s of CPU); in pack order its cache of delta
 * bases serves them (6 s). Blobs the packs do not list (loose objects) keep their order, last.
 */
async function packOrder(options: GitOptions, blobs: readonly string[]): Promise<Int32Array> {
  const count = blobs.length;
  const first = new Map<string, number>();
  // Two files with the same bytes have one blob id: the second is chained to the first.
  const sameAs = new Int32Array(count).fill(-1);
  for (let index = count - 1; index >= 0; index -= 1) {
    const known = first.get(blobs[index]!);
    if (known !== undefined) sameAs[index] = known;
    first.set(blobs[index]!, index);
  }
  const order = new Int32Array(count);
  const placed = new Uint8Array(count);
  let filled = 0;
  await forEachGitEntry(
    options,
    ['cat-file', '--batch-all-objects', '--batch-check=%(objectname)', '--unordered'],
    0x0a,
    (data, start, end) => {
      const id = data.toString('latin1', start, end);
      for (let index = first.get(id) ?? -1; index >= 0; index = sameAs[index]!) {
        if (placed[index]) break;
        placed[index] = 1;
        order[filled++] = index;
      }
    },
  );
  for (let index = 0; index < count; index += 1) if (!placed[index]) order[filled++] = index;
  return order;
}

/**
 * What a `cat-file` may hold: git maps up to 8 GB of pack into memory and keeps 96 MB of delta
 * bases, and reading a million blobs touched all of its pack, 250–320 MB of resident memory a
 * process beside the build. Asked in pack order (packOrder), the windows slide
 * along the pack and these limits cost no time: 110 MB a process.
 */
const CAT_FILE_MEMORY = [
  '-c',
  'core.packedGitWindowSize=16m',
  '-c',
  'core.packedGitLimit=32m',
  '-c',
  'core.deltaBaseCacheLimit=32m',
];

/**
 * One `git cat-file --batch` over `input` (blob ids, one a line), answers parsed as they stream in;
 * `onBlob` gets each blob's bytes as a view into the chunk read (Node gives every read its own
 * memory, so the view stays valid; holding it holds that chunk).
 */
function catFile(
  options: GitOptions,
  input: string,
  count: number,
  onBlob: (index: number, bytes: Buffer) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('git', [...CAT_FILE_MEMORY, 'cat-file', '--batch', '--buffer'], {
      cwd: options.repository,
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let pending: Buffer = Buffer.alloc(0);
    let next = 0;
    let errors = '';
    let failure: Error | undefined;
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      try {
        // Each answer: "<id> blob <size>\n<content>\n".
        while (next < count) {
          const headerEnd = pending.indexOf(0x0a, offset);
          if (headerEnd < 0) break;
          const size = blobSize(pending, offset, headerEnd);
          if (size < 0) {
            const header = pending.toString('latin1', offset, Math.min(headerEnd, offset + 100));
            throw new Error(`git cat-file gave no blob as answer ${next + 1}: ${header}`);
          }
          const end = headerEnd + 1 + size;
          if (end + 1 > pending.length) break;
          onBlob(next, pending.subarray(headerEnd + 1, end));
          next += 1;
          offset = end + 1;
        }
      } catch (error) {
        failure = error as Error;
        child.kill();
        return;
      }
      pending = pending.subarray(offset);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (failure) reject(failure);
      else if (code !== 0 || next !== count)
        reject(new Error(`git cat-file read ${next} of ${count} blobs (exit ${code}): ${errors.trim()}`));
      else resolve();
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** " blob " in an answer's header. */
const BLOB_TYPE = Buffer.from(' blob ', 'latin1');

/**
 * The size that the `cat-file --batch` answer header in `bytes[start, end)` gives
 * ("<hex id> blob <size>", at most 12 digits), or -1 when it is not such a header. Read from the
 * bytes: a string and a regular expression for each of a million answers cost about a second.
 */
export function blobSize(bytes: Uint8Array, start: number, end: number): number {
  let digits = end;
  while (digits > start && bytes[digits - 1]! >= 0x30 && bytes[digits - 1]! <= 0x39) digits -= 1;
  const typeStart = digits - BLOB_TYPE.length;
  if (digits === end || end - digits > 12 || typeStart <= start) return -1;
  for (let at = 0; at < BLOB_TYPE.length; at += 1) if (bytes[typeStart + at] !== BLOB_TYPE[at]) return -1;
  for (let at = start; at < typeStart; at += 1) {
    const byte = bytes[at]!;
    if (!((byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66))) return -1;
  }
  let size = 0;
  for (let at = digits; at < end; at += 1) size = size * 10 + bytes[at]! - 0x30;
  return size;
}

/**
 * Fetches every blob of `commit` in one pack, as a clone would: a million "want" lines, one
 * per signature file, would be a request GitHub need not accept. The commit's blobs are
 * asked for again by claiming to have nothing (the noop negotiation).
 */
export async function fetchAllBlobsOf(options: GitOptions, commit: string): Promise<void> {
  await runGit(
    [
      '-c',
      'fetch.negotiationAlgorithm=noop',
      'fetch',
      'origin',
      '--no-tags',
      '--no-write-fetch-head',
      '--depth=1',
      '--filter=blob:limit=1g',
      commit,
    ],
    options,
  );
}

/** Above this many files to read, a partial clone fetches the commit's whole pack rather than each blob by id. */
export const FETCH_BY_ID_UP_TO = 10_000;
