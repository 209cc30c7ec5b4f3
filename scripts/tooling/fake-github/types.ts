/**
 * What the fake GitHub holds and how a test drives it: issues, comments, workflow runs and their
 * artifacts, faults, the handle.
 */

export interface FakeIssueInput {
  number?: number;
  title?: string;
  body: string;
  labels: string[];
  user: { login: string; id: number };
  state?: 'open' | 'closed';
  state_reason?: 'completed' | 'not_planned' | 'reopened' | null;
  created_at?: string;
  comments?: number;
}

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; id: number };
  created_at: string;
  updated_at: string;
}

export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: 'open' | 'closed';
  state_reason: 'completed' | 'not_planned' | 'reopened' | null;
  user: { login: string; id: number };
  comments: FakeComment[];
  created_at: string;
  updated_at: string;
}

/** A run of a GitHub Actions workflow, as the fake lists it (GitHub's `workflow-run`). */
export interface FakeWorkflowRun {
  id: number;
  /** The workflow file, e.g. '.github/workflows/pages.yml' (GitHub's `path`). */
  path: string;
  /** The workflow's name (GitHub's `name`), e.g. 'Pages'. */
  name: string;
  /** 'push', 'pull_request', 'issues', 'schedule', 'workflow_dispatch', … */
  event: string;
  head_branch: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  /** owner/name of the repository the head commit came from: a fork's for a fork's pull request. */
  headRepository: string;
  /** ISO 8601 */
  created_at: string;
}

/** A workflow run to add: the fake assigns the id (the next, increasing) and the time (now) if absent. */
export type FakeWorkflowRunInput = Omit<FakeWorkflowRun, 'id' | 'created_at'> &
  Partial<Pick<FakeWorkflowRun, 'id' | 'created_at'>>;

/** An artifact a workflow run uploaded (GitHub's `artifact`), downloaded as a zip of `files`. */
export interface FakeArtifact {
  id: number;
  runId: number;
  name: string;
  /** The files the artifact holds, by path inside the zip. */
  files: Record<string, Uint8Array>;
  /** Past its retention: listed, but its download answers 410 Gone. */
  expired?: boolean;
  /** ISO 8601 */
  created_at: string;
}

/** An artifact to add: the fake assigns the id (the next) and the time (now) if absent. */
export type FakeArtifactInput = Omit<FakeArtifact, 'id' | 'created_at'> &
  Partial<Pick<FakeArtifact, 'id' | 'created_at'>>;

export interface Fault {
  method?: string;
  path: RegExp | string;
  status: number;
  times?: number;
  headers?: Record<string, string>;
  body?: unknown;
  dropConnection?: boolean;
  /** false: apply the real change first, then answer with the fault (a lost response). */
  beforeHandling?: boolean;
}

export interface FakeGitHubOptions {
  owner: string;
  repo: string;
  branch?: string;
  files?: Record<string, string>;
  issues?: FakeIssueInput[];
  perPageMax?: number;
  rateLimit?: number;
  token?: string;
  /** Milliseconds each response is delayed, to make concurrent clients interleave. */
  latencyMs?: number;
  /**
   * A bare git repository that holds the git database instead of memory: commits made through
   * the API are real commits there (visible to git clients), and `branch` starts at its head.
   * `files` is then ignored. Without it the fake keeps everything in memory, as before.
   */
  gitDir?: string;
}

/** One answer the fake gave, as sent on the wire (for checking it against GitHub's description). */
export interface FakeExchange {
  method: string;
  /** The request target as sent: percent-encoded path and query string. */
  url: string;
  /** The request's parsed JSON body, or undefined for an empty one. */
  requestBody: unknown;
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body, the bytes of any other (an artifact's zip), or undefined for an empty one. */
  body: unknown;
  /** True when an injected fault answered rather than the fake itself. */
  injected: boolean;
  /**
   * True for an answer of the fake's blob storage (an artifact's zip behind the signed URL its
   * download redirects to), which is not an operation of GitHub's REST API: it takes no token,
   * counts against no rate limit and sends none of the API's headers.
   */
  storage: boolean;
}

export interface FakeGitHub {
  baseUrl: string;
  requests: Array<{ method: string; path: string; status: number }>;
  /** Every answer given (dropped connections aside), with headers and body. */
  exchanges: FakeExchange[];
  /** The method and path pattern of every route the fake serves. */
  routes: ReadonlyArray<{ method: string; pattern: RegExp }>;
  issues(): FakeIssue[];
  issue(n: number): FakeIssue;
  addIssue(input: FakeIssueInput): FakeIssue;
  editIssue(n: number, body: string): void;
  setIssueState(n: number, state: 'open' | 'closed'): void;
  /** A comment by someone other than the bot (a signer, a maintainer). */
  addComment(n: number, user: { login: string; id: number }, body: string): void;
  /**
   * Protects the branch as a rule or branch protection would: every ref update is refused with
   * GitHub's 422 "Protected branch update failed" (or `message`), until called with false.
   */
  protectBranch(protect: boolean, message?: string): void;
  files(): Record<string, string>;
  commits(): Array<{ sha: string; message: string; parents: string[]; tree: string }>;
  headSha(): string;
  pushCommit(files: Record<string, string | null>, message: string): string;
  inject(fault: Fault): void;
  /** Drops every injected fault that has not fired yet. */
  clearFaults(): void;
  labels(): string[];
  /** The workflow runs, in the order added (ids increasing); the objects are the fake's own. */
  readonly workflowRuns: readonly FakeWorkflowRun[];
  /** The artifacts, in the order added; the objects are the fake's own. */
  readonly artifacts: readonly FakeArtifact[];
  /** Adds a workflow run; an id given must be above every run's so far (GitHub's grow with time). */
  addWorkflowRun(run: FakeWorkflowRunInput): FakeWorkflowRun;
  /** Changes a run as it progresses (its status, its conclusion, …); throws for an unknown id. */
  updateWorkflowRun(id: number, changes: Partial<Omit<FakeWorkflowRun, 'id'>>): FakeWorkflowRun;
  /** Adds an artifact of an existing run; an id given must be unused. */
  addArtifact(artifact: FakeArtifactInput): FakeArtifact;
  /** Called before each request is handled: lets a test act at an exact moment (e.g. push). */
  beforeRequest?: (method: string, path: string) => void;
  close(): Promise<void>;
}
