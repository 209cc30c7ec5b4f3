/**
 * What one workflow run carries from job to job: its options and record, the `github` context,
 * the status functions and the scope every expression starts from.
 */
import type { ActionsServices } from './services.ts';
import { asString, type ExpressionScope, type Json } from './expressions.ts';
import type { LoadedWorkflow } from './workflow-file.ts';

/** The local stand-ins for GitHub that a run talks to. */
export interface RunnerServices {
  /** The fake REST API (GITHUB_API_URL). */
  apiUrl: string;
  /** The git smart-HTTP server (GITHUB_SERVER_URL). */
  serverUrl: string;
  actions: ActionsServices;
  /** The bare repository the git server serves: workflow files are read from it at the run's commit. */
  bareRepo: string;
}

/** One workflow run to make. */
export interface WorkflowRunOptions {
  services: RunnerServices;
  /** The workflow file, relative to the repository root. */
  workflow: string;
  repository: string;
  event: { name: string; payload: { [key: string]: Json } };
  ref: string;
  sha: string;
  defaultBranch?: string;
  /** A pull request's base and head branch names (github.base_ref, github.head_ref). */
  baseRef?: string;
  headRef?: string;
  /** A pull request from a fork: GitHub gives it a read-only token and no secrets. */
  fromFork?: boolean;
  runId: number;
  runAttempt?: number;
  secrets?: Record<string, string>;
  /** The token GitHub would mint for the job (GITHUB_TOKEN, github.token). */
  githubToken: string;
  /** A folder for this run's workspaces, temp and home folders. */
  runRoot: string;
  /** Where `npm run refresh:actions` put the actions' real code (absent: stand-ins only). */
  actionsDir: string;
  /** Environment every step starts from (PATH, npm's cache and offline settings). */
  baseEnv: Record<string, string>;
  /**
   * TESTS ONLY: replaces a `run:` script, keyed by `<job id>` + `\n` + the script as written.
   * Used so that ci.yml's `npm test` does not run the whole suite inside a test, and to give a
   * workspace node_modules by a hardlinked copy instead of a full `npm ci`; every use is logged.
   */
  stepOverrides?: Record<string, string>;
  /** Which matrix combinations to run (all when absent). */
  matrixFilter?: (matrix: { [key: string]: Json }) => boolean;
  /**
   * TESTS ONLY: called after every step of every job (a called workflow's jobs too), before the
   * next step runs, so a scenario can change GitHub between two steps (move a branch, save a
   * cache) as another run would. A throw fails the run.
   */
  afterStep?: (step: StepHookInfo) => void | Promise<void>;
  /**
   * TESTS ONLY: `<job path>/<step id>` (`deploy/build/current` for a called workflow's job):
   * after that step the run is cancelled, as by "Cancel workflow" on GitHub: `cancelled()` is
   * true from then on, `success()` false, so later steps and jobs run only if their `if:` asks
   * for `always()` or `cancelled()`; the jobs that ran end `cancelled`.
   */
  cancelAfterStep?: string;
  log?: (line: string) => void;
}

/** The step a WorkflowRunOptions.afterStep hook is called after. */
export interface StepHookInfo {
  /** The job's path (`deploy/build`), with the matrix combination if any. */
  job: string;
  step: string;
  outcome: 'success' | 'failure' | 'skipped';
}

/** How a `uses:` step was run. */
export interface UsesRecord {
  job: string;
  step: string;
  uses: string;
  mode: 'real' | 'stand-in';
}

/** What happened to one job. */
export interface JobRecord {
  /** The job's path: `deploy/build` for a job of a called workflow. */
  name: string;
  result: 'success' | 'failure' | 'skipped' | 'cancelled';
  outputs: Record<string, string>;
  permissions: Json;
  /** Whether the job's GITHUB_TOKEN could write anything. */
  writeToken: boolean;
  /** The secrets the job could see (names only). */
  secretNames: string[];
  /** The evaluated job-level concurrency (recorded, not simulated). */
  concurrency: Json;
  steps: Array<{
    id: string;
    name: string;
    outcome: 'success' | 'failure' | 'skipped';
    outputs: Record<string, string>;
  }>;
  workspace?: string;
  summary: string;
}

/** The result of a workflow run. */
export interface WorkflowRunResult {
  result: 'success' | 'failure' | 'cancelled';
  /** Set once the run is cancelled (WorkflowRunOptions.cancelAfterStep). */
  cancelled?: boolean;
  jobs: JobRecord[];
  uses: UsesRecord[];
  log: string[];
  /** The first error that failed the run, naming job and step. */
  error?: string;
}

export interface CallContext {
  options: WorkflowRunOptions;
  workflow: LoadedWorkflow;
  /** `deploy/` for the jobs of a called workflow. */
  prefix: string;
  inputs: { [key: string]: Json };
  secrets: Record<string, string>;
  /** The permissions of the calling job: the called workflow's jobs get at most these. */
  permissionCap?: Json;
  record: WorkflowRunResult;
}

/** See the runner: shared by jobs, called workflows and steps. */
export function emptyJob(name: string, result: JobRecord['result']): JobRecord {
  return {
    name,
    result,
    outputs: {},
    permissions: {},
    writeToken: false,
    secretNames: [],
    concurrency: null,
    steps: [],
    summary: '',
  };
}

/** See the runner: shared by jobs, called workflows and steps. */
export function statusFunctions(
  status: () => 'success' | 'failure' | 'skipped',
  cancelled: () => boolean = () => false,
): ExpressionScope['functions'] {
  return {
    // As on GitHub: once the run is cancelled, success() is false and cancelled() true.
    success: { minArgs: 0, maxArgs: 0, call: () => !cancelled() && status() === 'success' },
    failure: { minArgs: 0, maxArgs: 0, call: () => status() === 'failure' },
    always: { minArgs: 0, maxArgs: 0, call: () => true },
    cancelled: { minArgs: 0, maxArgs: 0, call: () => cancelled() },
  };
}

/** See the runner: shared by jobs, called workflows and steps. */
export function githubContext(call: CallContext, extra: { [key: string]: Json } = {}): { [key: string]: Json } {
  const { options } = call;
  const [owner] = options.repository.split('/');
  return {
    event_name: options.event.name,
    event: options.event.payload,
    ref: options.ref,
    ref_name: options.ref.replace(/^refs\/(heads|tags)\//, ''),
    ref_type: options.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: options.sha,
    repository: options.repository,
    repository_owner: owner!,
    run_id: String(options.runId),
    run_number: String(options.runId),
    run_attempt: String(options.runAttempt ?? 1),
    actor: 'octocat',
    triggering_actor: 'octocat',
    server_url: options.services.serverUrl,
    api_url: options.services.apiUrl,
    graphql_url: `${options.services.apiUrl}/graphql`,
    workflow: call.workflow.name,
    head_ref: options.headRef ?? '',
    base_ref: options.baseRef ?? '',
    token: options.githubToken,
    retention_days: '90',
    ...extra,
  };
}

/** See the runner: shared by jobs, called workflows and steps. */
export function baseScope(call: CallContext, contexts: ExpressionScope['contexts']): ExpressionScope {
  return {
    contexts: {
      github: githubContext(call),
      inputs: call.inputs,
      secrets: { ...call.secrets, GITHUB_TOKEN: call.options.githubToken },
      vars: {},
      env: {},
      ...contexts,
    },
    functions: statusFunctions(() => 'success'),
  };
}

/** A mapping's values as strings (env, outputs, `with:`); anything else is empty. */
export function stringRecord(value: Json): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asString(item)]));
}
