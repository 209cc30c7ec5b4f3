/**
 * Where the processor reads existing signatures from. In a plain checkout, the files; in the
 * Action's blobless, sparse checkout (signatures/ not checked out, no blob downloaded until asked
 * for), git itself: `git ls-tree` lists what exists from the trees alone, and `git cat-file
 * --batch` reads the few files a run needs, fetching just those blobs. A million signature files
 * cost a full checkout hundreds of megabytes; this way the processor pays for the handful it reads.
 */
import { spawn } from 'node:child_process';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { SIGNATURE_FILE_MAX_BYTES, signatureRelativePath } from '../core/signature-file.ts';

/**
 * What a store gives for something at a signer's path that cannot be their signature file: a
 * link, a folder, a submodule, or a file larger than any signature file. It is not read (a link
 * may point at /dev/zero, a pipe would block, a committed file may be 100 MB) and not undefined:
 * something is there, which the signer's next signature replaces and a withdrawal removes, as for
 * any file the parser refuses (this text has no front matter). The site's loaders skip the same.
 */
export const NOT_A_SIGNATURE_FILE = '';

export interface SignatureStore {
  /** Each signer's file text, {@link NOT_A_SIGNATURE_FILE}, or undefined when they have no signature. */
  readMany(userIds: readonly number[]): Promise<Map<number, string | undefined>>;
}

/** Signatures read from a folder of files (a full checkout, tests, try-locally). */
export function folderStore(directory: string): SignatureStore {
  return {
    async readMany(userIds) {
      const files = new Map<number, string | undefined>();
      for (const id of userIds) files.set(id, await readSignatureText(path.join(directory, signatureRelativePath(id))));
      return files;
    },
  };
}

/**
 * Whether what `lstat` found at a signer's path may be read as their file: looked at before it is
 * opened, so that a link is not followed, a pipe not opened and a big file not read.
 */
export function isReadableSignatureFile(info: { isFile(): boolean; size: number }): boolean {
  return info.isFile() && info.size <= SIGNATURE_FILE_MAX_BYTES;
}

/** A signer's file from a folder: its text, NOT_A_SIGNATURE_FILE, or undefined when there is none. */
async function readSignatureText(file: string): Promise<string | undefined> {
  try {
    if (!isReadableSignatureFile(await lstat(file))) return NOT_A_SIGNATURE_FILE;
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface GitStoreOptions {
  /** The repository's working tree (or any directory inside it). */
  repository: string;
  /** The commit to read: the checked-out branch head. */
  ref?: string;
  /** The signatures folder inside the repository. */
  folder?: string;
  /** Extra environment for git (credentials for fetching missing blobs). */
  env?: NodeJS.ProcessEnv;
}

/** Where git runs, and the extra environment it gets (credentials for fetching missing blobs). */
export type GitOptions = { repository: string; env?: NodeJS.ProcessEnv };

/** Runs git with `input` on stdin and returns stdout as a buffer; a failure names the command. */
export function runGit(args: string[], options: GitOptions, input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.repository,
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new Error(`git ${args[0]} failed (${code}): ${Buffer.concat(err).toString('utf8').trim().slice(0, 500)}`),
        );
    });
    // A git that stops early (not a repository) closes its stdin: its exit code says why.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/**
 * Runs git and hands each entry of its output (the bytes from `start` to `end`, the separator
 * left out) to `onEntry` as the output streams in; a last entry without its separator too. An
 * error thrown by `onEntry` stops git and rejects.
 */
export function forEachGitEntry(
  options: GitOptions,
  args: string[],
  separator: number,
  onEntry: (data: Buffer, start: number, end: number) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.repository,
      env: { ...process.env, ...options.env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let rest: Buffer | undefined;
    let errors = '';
    let failure: Error | undefined;
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (failure) return;
      const data = rest ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      try {
        for (let end = data.indexOf(separator); end >= 0; end = data.indexOf(separator, start)) {
          onEntry(data, start, end);
          start = end + 1;
        }
      } catch (error) {
        failure = error as Error;
        child.kill();
        return;
      }
      // A copy of the unfinished entry, so that the chunk it came in is not held.
      rest = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (failure) return reject(failure);
      if (code !== 0) return reject(new Error(`git ${args[0]} failed (${code}): ${errors.trim().slice(0, 500)}`));
      try {
        if (rest) onEntry(rest, 0, rest.length);
      } catch (error) {
        return reject(error as Error);
      }
      resolve();
    });
  });
}

/** Whether the repository is a partial clone (the workflows' blobless ones), whose missing objects come from origin. */
export async function isPartialClone(options: GitOptions): Promise<boolean> {
  return runGit(['config', '--get', 'remote.origin.promisor'], options).then(
    (out) => out.toString('utf8').trim() === 'true',
    () => false,
  );
}

/**
 * Fetches the blobs named in `ids` (one a line) from origin in one request, claiming to have
 * nothing (the noop negotiation) so that origin sends exactly those.
 */
export async function fetchBlobs(options: GitOptions, ids: string): Promise<void> {
  await runGit(
    [
      '-c',
      'fetch.negotiationAlgorithm=noop',
      'fetch',
      'origin',
      '--no-tags',
      '--no-write-fetch-head',
      '--recurse-submodules=no',
      '--filter=blob:none',
      '--stdin',
    ],
    options,
    ids,
  );
}

const idLines = (ids: readonly string[]) => ids.map((id) => `${id}\n`).join('');

/**
 * The tree entries at `paths` (trees are local even in a blobless clone: this costs no download):
 * each one's object id, and whether it is a regular file (not a link, folder or submodule).
 */
async function listEntries(
  options: GitOptions,
  ref: string,
  paths: readonly string[],
): Promise<Map<string, { id: string; regular: boolean }>> {
  const listing = (await runGit(['ls-tree', '-z', ref, '--', ...paths], options)).toString('utf8');
  const entries = new Map<string, { id: string; regular: boolean }>();
  for (const entry of listing.split('\0')) {
    const match = /^(\d{6}) (\w+) ([0-9a-f]{40,64})\t(.+)$/.exec(entry);
    if (!match) continue;
    const [, mode, type, id, file] = match as unknown as [string, string, string, string, string];
    entries.set(file, { id, regular: type === 'blob' && (mode === '100644' || mode === '100755') });
  }
  return entries;
}

/** Each blob's size in bytes, from `git cat-file --batch-check` (the blobs must be here). */
async function blobSizes(options: GitOptions, blobs: readonly string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (blobs.length === 0) return sizes;
  const output = (await runGit(['cat-file', '--batch-check'], options, idLines(blobs))).toString('utf8');
  for (const [index, line] of output.split('\n').slice(0, blobs.length).entries()) {
    const match = /^[0-9a-f]+ blob (\d+)$/.exec(line);
    if (!match) throw new Error(`git cat-file gave no blob for ${blobs[index]}: ${line.slice(0, 100)}`);
    sizes.set(blobs[index]!, Number(match[1]));
  }
  return sizes;
}

/** Each blob's text, from `git cat-file --batch` (the blobs must be here). */
async function blobTexts(options: GitOptions, blobs: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  if (blobs.length === 0) return texts;
  const output = await runGit(['cat-file', '--batch'], options, idLines(blobs));
  // Each answer: "<id> blob <size>\n<content>\n".
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = output.indexOf(0x0a, offset);
    const header = output.toString('utf8', offset, headerEnd);
    const match = /^[0-9a-f]+ blob (\d+)$/.exec(header);
    if (!match) throw new Error(`git cat-file gave no blob for ${blob}: ${header.slice(0, 100)}`);
    const size = Number(match[1]);
    texts.set(blob, output.toString('utf8', headerEnd + 1, headerEnd + 1 + size));
    offset = headerEnd + 1 + size + 1;
  }
  return texts;
}

/** Signatures read through git from `ref`, fetching only the blobs asked for. */
export function gitStore(options: GitStoreOptions): SignatureStore {
  const ref = options.ref ?? 'HEAD';
  const folder = options.folder ?? 'signatures';
  return {
    async readMany(userIds) {
      const files = new Map<number, string | undefined>(userIds.map((id) => [id, undefined]));
      if (userIds.length === 0) return files;
      const paths = userIds.map((id) => `${folder}/${signatureRelativePath(id)}`);
      const entries = await listEntries(options, ref, paths);
      const blobOf = new Map<number, string>();
      for (const [index, id] of userIds.entries()) {
        const entry = entries.get(paths[index]!);
        if (entry === undefined) continue;
        if (entry.regular) blobOf.set(id, entry.id);
        else files.set(id, NOT_A_SIGNATURE_FILE);
      }
      if (blobOf.size === 0) return files;
      // In a partial clone, cat-file would fetch each missing blob in a request of its own; one
      // fetch of them all is what git itself does before a checkout.
      if (await isPartialClone(options)) await fetchBlobs(options, idLines([...blobOf.values()]));
      // Sizes first: a committed file may be 100 MB, and only a signature file's size is read whole.
      const sizes = await blobSizes(options, [...blobOf.values()]);
      for (const [id, blob] of blobOf)
        if (sizes.get(blob)! > SIGNATURE_FILE_MAX_BYTES) {
          files.set(id, NOT_A_SIGNATURE_FILE);
          blobOf.delete(id);
        }
      const texts = await blobTexts(options, [...blobOf.values()]);
      for (const [id, blob] of blobOf) files.set(id, texts.get(blob));
      return files;
    },
  };
}

/**
 * Git's environment for fetching missing blobs from GitHub with a token, without writing it to
 * .git/config or putting it on a command line (actions/checkout's own way, through env).
 */
export function gitTokenEnv(token: string): NodeJS.ProcessEnv {
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.https://github.com/.extraheader',
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}
