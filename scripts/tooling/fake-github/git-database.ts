/**
 * The fake GitHub's git database backed by a REAL bare repository on disk (option `gitDir` of
 * startFakeGitHub): commits the processor makes through the Git Database API become real git
 * objects and move a real ref, so a git client (the workflow runner's checkout, the build's git
 * loader) sees them. The fake keeps its in-memory maps as caches; these classes fill them from,
 * and write them through to, the repository. Synchronous (spawnSync) because the fake's route
 * handlers are: fine for tests, where a repository holds hundreds of files, not a million.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A commit as the fake keeps it. */
export interface StoredCommit {
  sha: string;
  message: string;
  parents: string[];
  tree: string;
  date: string;
}

/** Runs git in the bare repository; throws with git's message when it fails. */
function git(gitDir: string, args: string[], input?: string | Buffer, env: Record<string, string> = {}): Buffer {
  const result = spawnSync('git', ['--git-dir', gitDir, ...args], {
    input,
    env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: '0' },
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr.toString('utf8').trim()}`);
  return result.stdout;
}

/** Whether an object exists (and, when given, has that type). */
function hasObject(gitDir: string, sha: string, type?: string): boolean {
  if (!/^[0-9a-f]{40}$/.test(sha)) return false;
  const result = spawnSync('git', ['--git-dir', gitDir, 'cat-file', '-t', sha]);
  return result.status === 0 && (!type || result.stdout.toString('utf8').trim() === type);
}

/** Blob sha → content (UTF-8 text, as the fake serves it), read from and written to the repository. */
export class GitBlobs extends Map<string, string> {
  private readonly gitDir: string;
  constructor(gitDir: string) {
    super();
    this.gitDir = gitDir;
  }
  override get(sha: string): string | undefined {
    if (!super.has(sha)) {
      if (!hasObject(this.gitDir, sha, 'blob')) return undefined;
      super.set(sha, git(this.gitDir, ['cat-file', 'blob', sha]).toString('utf8'));
    }
    return super.get(sha);
  }
  override has(sha: string): boolean {
    return this.get(sha) !== undefined;
  }
  /**
   * Reads every blob of `shas` not read yet through one git process. An answer that lists a whole
   * tree (a created tree's entries with their sizes, a commit's files) would otherwise start two
   * processes a file, and these repositories hold the whole project: 866 processes a created
   * tree, blocking the test's process for a minute of a workflow scenario under load.
   */
  prefetch(shas: Iterable<string>): void {
    const wanted = [...new Set(shas)].filter((sha) => /^[0-9a-f]{40}$/.test(sha) && !super.has(sha));
    if (wanted.length === 0) return;
    const out = git(this.gitDir, ['cat-file', '--batch'], `${wanted.join('\n')}\n`);
    let at = 0;
    for (const sha of wanted) {
      const end = out.indexOf(0x0a, at);
      // "<sha> <type> <size>" and the content, or "<sha> missing".
      const [, type, size] = out.toString('latin1', at, end).split(' ');
      at = end + 1;
      if (size === undefined) continue;
      if (type === 'blob') super.set(sha, out.toString('utf8', at, at + Number(size)));
      at += Number(size) + 1;
    }
  }
  override set(sha: string, content: string): this {
    if (!super.has(sha)) {
      const written = git(this.gitDir, ['hash-object', '-w', '--stdin'], content).toString('utf8').trim();
      if (written !== sha) throw new Error(`blob sha mismatch: ${written} != ${sha}`);
    }
    return super.set(sha, content);
  }
}

/** Reads the blobs of `shas` at once when they live in a repository ({@link GitBlobs.prefetch}); in memory they are all there. */
export function readBlobsAtOnce(blobs: Map<string, string>, shas: Iterable<string>): void {
  if (blobs instanceof GitBlobs) blobs.prefetch(shas);
}

/** Tree sha → (path → blob sha), the whole tree flattened as the fake keeps it. */
export class GitTrees extends Map<string, Map<string, string>> {
  /** File modes seen in the repository (an executable script stays executable). */
  private readonly modes = new Map<string, string>();
  private readonly gitDir: string;
  constructor(gitDir: string) {
    super();
    this.gitDir = gitDir;
  }
  override get(sha: string): Map<string, string> | undefined {
    if (!super.has(sha)) {
      if (!hasObject(this.gitDir, sha, 'tree')) return undefined;
      const entries = new Map<string, string>();
      for (const line of git(this.gitDir, ['ls-tree', '-r', '-z', sha]).toString('utf8').split('\0')) {
        const match = /^(\d+) (\w+) ([0-9a-f]{40})\t(.*)$/s.exec(line);
        if (!match) continue;
        entries.set(match[4]!, match[3]!);
        this.modes.set(match[4]!, match[1]!);
      }
      super.set(sha, entries);
    }
    return super.get(sha);
  }
  override has(sha: string): boolean {
    return this.get(sha) !== undefined;
  }
  /** Writes a tree of these entries into the repository and answers its real sha. */
  store(entries: Map<string, string>): string {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'fake-github-index-'));
    try {
      const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
      const info = [...entries].map(([file, sha]) => `${this.modes.get(file) ?? '100644'} ${sha}\t${file}\0`).join('');
      git(this.gitDir, ['update-index', '--add', '-z', '--index-info'], info, env);
      const sha = git(this.gitDir, ['write-tree'], undefined, env).toString('utf8').trim();
      super.set(sha, new Map(entries));
      return sha;
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

/** Commit sha → commit, parsed from the repository. */
export class GitCommits extends Map<string, StoredCommit> {
  private readonly gitDir: string;
  constructor(gitDir: string) {
    super();
    this.gitDir = gitDir;
  }
  override get(sha: string): StoredCommit | undefined {
    if (!super.has(sha)) {
      if (!hasObject(this.gitDir, sha, 'commit')) return undefined;
      const text = git(this.gitDir, ['cat-file', 'commit', sha]).toString('utf8');
      const split = text.indexOf('\n\n');
      const header = text.slice(0, split).split('\n');
      const committer = header.find((line) => line.startsWith('committer '));
      const seconds = Number(/ (\d+) [+-]\d{4}$/.exec(committer ?? '')?.[1] ?? 0);
      super.set(sha, {
        sha,
        tree: header.find((line) => line.startsWith('tree '))!.slice(5),
        parents: header.filter((line) => line.startsWith('parent ')).map((line) => line.slice(7)),
        message: text.slice(split + 2).replace(/\n$/, ''),
        date: new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
    }
    return super.get(sha);
  }
  override has(sha: string): boolean {
    return this.get(sha) !== undefined;
  }
  /** Makes a commit as the Actions bot would through the API, dated `date`; answers its sha. */
  store(tree: string, parents: string[], message: string, date: string): string {
    const env = {
      GIT_AUTHOR_NAME: 'github-actions[bot]',
      GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: 'GitHub',
      GIT_COMMITTER_EMAIL: 'noreply@github.com',
      GIT_COMMITTER_DATE: date,
    };
    const args = ['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent])];
    // The message goes through stdin: it is whatever the API client sent.
    const sha = git(this.gitDir, args, message, env).toString('utf8').trim();
    super.set(sha, { sha, tree, parents, message, date });
    return sha;
  }
}

/** Branch name → commit sha, the repository's refs/heads. */
export class GitRefs extends Map<string, string> {
  private readonly gitDir: string;
  constructor(gitDir: string) {
    super();
    this.gitDir = gitDir;
  }
  override get(branch: string): string | undefined {
    const result = spawnSync('git', ['--git-dir', this.gitDir, 'rev-parse', '--verify', '-q', `refs/heads/${branch}`]);
    return result.status === 0 ? result.stdout.toString('utf8').trim() : undefined;
  }
  override has(branch: string): boolean {
    return this.get(branch) !== undefined;
  }
  override set(branch: string, sha: string): this {
    git(this.gitDir, ['update-ref', `refs/heads/${branch}`, sha]);
    return this;
  }
}
