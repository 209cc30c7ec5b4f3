/**
 * What the fake GitHub holds: one branch of blobs, trees and commits, the issues with their
 * comments and labels, the workflow runs with their artifacts, and its own clock, so answers are
 * the same from run to run. GitHub's error answers are thrown as HttpError and sent by the server;
 * an answer that is not JSON (a redirect, a zip) is returned as a RawAnswer.
 */
import { createHash } from 'node:crypto';
import { GitBlobs, GitCommits, GitRefs, GitTrees, readBlobsAtOnce } from './git-database.ts';
import type {
  FakeArtifact,
  FakeArtifactInput,
  FakeIssue,
  FakeIssueInput,
  FakeWorkflowRun,
  FakeWorkflowRunInput,
} from './types.ts';

export const DOCS = 'https://docs.github.com/rest';

/** The account the processor's comments are written by. */
export const BOT = { login: 'github-actions[bot]', id: 41898282 };

/** An error answer: its status and GitHub's JSON body. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message));
    this.status = status;
    this.body = body;
  }
}
/**
 * An answer that is not JSON, which a handler returns as its body: a redirect (its headers, no
 * body) or bytes of another type (an artifact's zip). The server sends and records it as it is.
 */
export class RawAnswer {
  readonly headers: Record<string, string>;
  readonly bytes: Uint8Array | undefined;
  constructor(headers: Record<string, string>, bytes?: Uint8Array) {
    this.headers = headers;
    this.bytes = bytes;
  }
}

export const notFound = () => new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
export const validationFailed = (message: string, errors: unknown[] = []) =>
  new HttpError(422, { message, errors, documentation_url: DOCS, status: '422' });

/** GitHub's format for a time: ISO 8601 to the second. */
export const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
export const blobSha = (content: string) => sha1(`blob ${Buffer.byteLength(content)}\0${content}`);

export interface FakeCommit {
  sha: string;
  message: string;
  parents: string[];
  tree: string;
  date: string;
}

export interface FakeLabel {
  name: string;
  color: string;
  description: string | null;
  id: number;
}

/** The repository's state and the operations the routes and the test handle share. */
export class FakeRepository {
  readonly branch: string;
  readonly blobs: Map<string, string>;
  readonly trees: Map<string, Map<string, string>>; // tree sha → path → blob sha
  readonly commits: Map<string, FakeCommit>;
  readonly refs: Map<string, string>;
  readonly issues = new Map<number, FakeIssue>();
  readonly labels = new Map<string, FakeLabel>();
  /** In the order added, ids increasing. */
  readonly workflowRuns: FakeWorkflowRun[] = [];
  readonly artifacts: FakeArtifact[] = [];
  /** The message a protected branch refuses ref updates with, while it is protected. */
  protection: string | undefined;
  nextComment = 1000;
  nextLabelId = 500;
  private nextIssue = 1;
  private clock = Date.parse('2026-11-24T10:00:00Z');

  /**
   * With `gitDir`, the git database is a real bare repository (git-database.ts): commits made
   * through the API are visible to git clients, and the branch starts at its head (`files` is
   * then ignored). Without it everything stays in memory.
   */
  constructor(branch: string, files: Record<string, string>, issues: readonly FakeIssueInput[], gitDir?: string) {
    this.branch = branch;
    this.blobs = gitDir ? new GitBlobs(gitDir) : new Map();
    this.trees = gitDir ? new GitTrees(gitDir) : new Map();
    this.commits = gitDir ? new GitCommits(gitDir) : new Map();
    this.refs = gitDir ? new GitRefs(gitDir) : new Map();
    if (!gitDir) this.refs.set(branch, this.storeCommit(this.treeOfFiles(files), [], 'Initial commit'));
    else if (!this.refs.has(branch)) throw new Error(`${gitDir} has no branch ${branch}`);
    issues.forEach((issue) => this.addIssue(issue));
  }

  /** The next instant of the fake's clock: one second after the last. */
  tick(): string {
    return iso(new Date((this.clock += 1000)));
  }

  /** The commit the branch points at. */
  head(): string {
    return this.refs.get(this.branch)!;
  }

  storeTree(entries: Map<string, string>): string {
    if (this.trees instanceof GitTrees) return this.trees.store(entries);
    const sha = sha1(`tree ${JSON.stringify([...entries].sort(([a], [b]) => (a < b ? -1 : 1)))}`);
    this.trees.set(sha, new Map(entries));
    return sha;
  }

  storeCommit(tree: string, parents: string[], message: string): string {
    const date = this.tick();
    if (this.commits instanceof GitCommits) return this.commits.store(tree, parents, message, date);
    const sha = sha1(`commit ${tree} ${parents.join(',')} ${message} ${date}`);
    this.commits.set(sha, { sha, message, parents, tree, date });
    return sha;
  }

  storeBlob(content: string): string {
    const sha = blobSha(content);
    this.blobs.set(sha, content);
    return sha;
  }

  private treeOfFiles(files: Record<string, string>): string {
    const entries = new Map<string, string>();
    for (const [path, content] of Object.entries(files)) entries.set(path, this.storeBlob(content));
    return this.storeTree(entries);
  }

  ensureLabel(name: string): FakeLabel {
    if (!this.labels.has(name))
      this.labels.set(name, { name, color: 'ededed', description: null, id: this.nextLabelId++ });
    return this.labels.get(name)!;
  }

  addIssue(input: FakeIssueInput): FakeIssue {
    const number = input.number ?? this.nextIssue;
    this.nextIssue = Math.max(this.nextIssue, number + 1);
    input.labels.forEach((label) => this.ensureLabel(label));
    const created = input.created_at ?? this.tick();
    const issue: FakeIssue = {
      number,
      title: input.title ?? 'Signature',
      body: input.body,
      labels: [...input.labels],
      state: input.state ?? 'open',
      state_reason: input.state_reason ?? null,
      user: { ...input.user },
      comments: [],
      created_at: created,
      updated_at: created,
    };
    for (let i = 0; i < (input.comments ?? 0); i += 1)
      issue.comments.push({
        id: this.nextComment++,
        body: 'A comment by someone.',
        user: { login: 'someone', id: 7 },
        created_at: created,
        updated_at: created,
      });
    this.issues.set(number, issue);
    return issue;
  }

  /** The issue, or GitHub's 404. */
  mustIssue(n: number): FakeIssue {
    const issue = this.issues.get(n);
    if (!issue) throw notFound();
    return issue;
  }

  /**
   * Adds a workflow run. Ids start above 2^31 as GitHub's do (a client must not keep them in 32
   * bits) and only grow, so the newest run is the one with the highest id, as listings assume.
   */
  addWorkflowRun(input: FakeWorkflowRunInput): FakeWorkflowRun {
    const last = this.workflowRuns.at(-1)?.id ?? 10_000_000_000;
    if (input.id !== undefined && input.id <= last)
      throw new Error(`A workflow run's id must be above the last one's (${last}); ${input.id} is not.`);
    const run: FakeWorkflowRun = {
      ...input,
      id: input.id ?? last + 1,
      created_at: input.created_at ?? iso(new Date()),
    };
    this.workflowRuns.push(run);
    return run;
  }

  updateWorkflowRun(id: number, changes: Partial<Omit<FakeWorkflowRun, 'id'>>): FakeWorkflowRun {
    const run = this.workflowRuns.find((r) => r.id === id);
    if (!run) throw new Error(`No workflow run ${id}.`);
    return Object.assign(run, changes, { id });
  }

  /** Adds an artifact of an existing run. */
  addArtifact(input: FakeArtifactInput): FakeArtifact {
    if (!this.workflowRuns.some((run) => run.id === input.runId))
      throw new Error(`No workflow run ${input.runId} to hold artifact ${input.name}.`);
    if (input.id !== undefined && this.artifacts.some((a) => a.id === input.id))
      throw new Error(`Artifact ${input.id} exists already.`);
    const next = Math.max(4_000_000_000, ...this.artifacts.map((a) => a.id)) + 1;
    const artifact: FakeArtifact = { ...input, id: input.id ?? next, created_at: input.created_at ?? iso(new Date()) };
    this.artifacts.push(artifact);
    return artifact;
  }

  /** The workflow run, or GitHub's 404. */
  mustRun(id: number): FakeWorkflowRun {
    const run = this.workflowRuns.find((r) => r.id === id);
    if (!run) throw notFound();
    return run;
  }

  /** The artifact, or GitHub's 404. */
  mustArtifact(id: number): FakeArtifact {
    const artifact = this.artifacts.find((a) => a.id === id);
    if (!artifact) throw notFound();
    return artifact;
  }

  filesAt(commitSha: string): Record<string, string> {
    const tree = this.trees.get(this.commits.get(commitSha)!.tree)!;
    readBlobsAtOnce(this.blobs, tree.values());
    return Object.fromEntries([...tree].map(([path, sha]) => [path, this.blobs.get(sha)!]));
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    const stack = [descendant];
    const seen = new Set<string>();
    while (stack.length) {
      const sha = stack.pop()!;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      stack.push(...(this.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  /** A commit on the branch as someone else's push would make it (null deletes a file). */
  pushCommit(files: Record<string, string | null>, message: string): string {
    const head = this.head();
    const entries = new Map(this.trees.get(this.commits.get(head)!.tree)!);
    for (const [path, content] of Object.entries(files)) {
      if (content === null) entries.delete(path);
      else entries.set(path, this.storeBlob(content));
    }
    const sha = this.storeCommit(this.storeTree(entries), [head], message);
    this.refs.set(this.branch, sha);
    return sha;
  }

  /** The branch's commits, newest first, along first parents. */
  history(): Array<{ sha: string; message: string; parents: string[]; tree: string }> {
    const list = [];
    for (let sha: string | undefined = this.head(); sha; sha = this.commits.get(sha)?.parents[0]) {
      const { message, parents, tree } = this.commits.get(sha)!;
      list.push({ sha, message, parents, tree });
    }
    return list;
  }
}
