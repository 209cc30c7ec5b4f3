/**
 * The smallest workflow runner that runs this repository's workflows on this machine, job by
 * job, as GitHub's runner does: `run:` steps in bash with the runner's environment and files
 * (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY, GITHUB_STATE), `${{ }}` evaluated
 * by GitHub's own evaluator, `if:` with the status functions, `needs`, job outputs, matrices,
 * reusable workflows called with `uses: ./.github/workflows/…`, and actions: their real code
 * when `npm run refresh:actions` has copied it into .workflow-actions/, our stand-ins otherwise
 * (./actions.ts). Anything it does not know (an action, a function, a context, a matrix
 * include) fails the run with the job and step named; nothing is skipped silently.
 *
 * Not simulated: runners and their images (steps run on this host), job containers and
 * services, timeouts, and concurrency groups (evaluated and recorded, never queued or cancelled).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { Job, ReusableWorkflowJob, Step, WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import type { ActionsServices } from './services.ts';
import {
  asString,
  evaluate,
  evaluateToken,
  hashFiles,
  mappingValue,
  truthy,
  type ExpressionScope,
  type Json,
} from './expressions.ts';
import { resolveAction, type ResolvedAction } from './actions.ts';

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
  log?: (line: string) => void;
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
  result: 'success' | 'failure';
  jobs: JobRecord[];
  uses: UsesRecord[];
  log: string[];
  /** The first error that failed the run, naming job and step. */
  error?: string;
}

/** An error that names where in the workflow it happened. */
export class WorkflowError extends Error {}

/** Reads `name=value` lines and `name<<DELIM` … `DELIM` blocks (GITHUB_OUTPUT, GITHUB_ENV). */
export function parseKeyValueFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (!line) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    const equals = line.indexOf('=');
    if (heredoc && (equals < 0 || line.indexOf('<<') < equals)) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (index += 1; index < lines.length && lines[index] !== delimiter; index += 1) value.push(lines[index]!);
      if (index >= lines.length) throw new WorkflowError(`unterminated ${name}<<${delimiter} block`);
      result[name!] = value.join('\n');
    } else if (equals > 0) result[line.slice(0, equals)] = line.slice(equals + 1);
    else throw new WorkflowError(`invalid line in an environment file: ${line.slice(0, 40)}`);
  }
  return result;
}

/** Evaluates `${{ }}` inside a string of an action.yml (parsed as plain YAML, not by the workflow parser). */
export function interpolate(text: string, scope: ExpressionScope): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_all, expression: string) => asString(evaluate(expression, scope)));
}

/** The expression of an `if:` as GitHub reads it: `success() && (…)` unless it calls a status function. */
export function ifExpression(condition: string | undefined): string {
  const text = (condition ?? '')
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();
  if (!text) return 'success()';
  return /\b(success|failure|always|cancelled)\s*\(/.test(text) ? text : `success() && (${text})`;
}

/** A workflow parsed and converted by GitHub's parser, with its raw token tree. */
interface LoadedWorkflow {
  name: string;
  jobs: WorkflowJob[];
  env: TemplateToken | undefined;
  root: TemplateToken;
}

/**
 * Which job and step a line of a workflow belongs to (GitHub's parser reports an unknown
 * function or context by line), for workflows indented as ours are (two spaces a level).
 */
export function whereInWorkflow(text: string, line: number): string | undefined {
  const lines = text.split('\n').slice(0, line);
  const jobsAt = lines.findIndex((candidate) => /^jobs:\s*$/.test(candidate));
  if (jobsAt < 0) return undefined;
  let job: string | undefined;
  let step = 0;
  let stepName: string | undefined;
  for (const candidate of lines.slice(jobsAt + 1)) {
    const jobMatch = /^ {2}([\w-]+):\s*$/.exec(candidate);
    if (jobMatch) [job, step, stepName] = [jobMatch[1], 0, undefined];
    const stepMatch = /^ {6}- (?:(?:name|uses|run|id):\s*(.*))?/.exec(candidate);
    if (stepMatch) [step, stepName] = [step + 1, stepMatch[1]];
    else if (step > 0 && !stepName) stepName = /^ {8}(?:name|uses|run):\s*(.*)$/.exec(candidate)?.[1];
  }
  if (!job) return undefined;
  return step > 0 ? `job ${job}, step ${step}${stepName ? ` "${stepName}"` : ''}` : `job ${job}`;
}

/** Parses a workflow with @actions/workflow-parser; schema errors fail the run. */
export async function loadWorkflow(name: string, content: string): Promise<LoadedWorkflow> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors();
  // Each message names the job and step of the line GitHub's parser reports.
  const located = (messages: string[]) =>
    messages
      .map((message) => {
        const line = Number(/\(Line: (\d+)/.exec(message)?.[1] ?? 0);
        const where = line ? whereInWorkflow(content, line) : undefined;
        return where ? `${where}: ${message}` : message;
      })
      .join('; ');
  if (errors.length > 0 || !parsed.value) throw new WorkflowError(located(errors.map((error) => error.message)));
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  if (template.errors?.length) throw new WorkflowError(located(template.errors.map((error) => error.Message)));
  return { name, jobs: template.jobs, env: template.env, root: parsed.value };
}

/** The jobs in an order that runs every job after its needs. */
export function jobOrder(jobs: ReadonlyArray<{ id: string; needs: string[] }>): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (order.includes(id)) return;
    if (visiting.has(id)) throw new WorkflowError(`jobs form a cycle at ${id}`);
    visiting.add(id);
    const job = jobs.find((candidate) => candidate.id === id);
    if (!job) throw new WorkflowError(`a job needs ${id}, which does not exist`);
    job.needs.forEach(visit);
    order.push(id);
  };
  jobs.forEach((job) => visit(job.id));
  return order;
}

/** Every combination of a matrix (no include/exclude: those fail loudly). */
export function expandMatrix(matrix: Json): Array<{ [key: string]: Json }> {
  if (matrix === null) return [{}];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) throw new WorkflowError('matrix must be a mapping');
  let combos: Array<{ [key: string]: Json }> = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (key === 'include' || key === 'exclude')
      throw new WorkflowError(`matrix ${key} is not supported by the local runner`);
    if (!Array.isArray(values)) throw new WorkflowError(`matrix ${key} must be a list`);
    combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [key]: value })));
  }
  return combos;
}

const WRITE_SCOPES = ['contents', 'issues', 'pages', 'pull-requests', 'id-token', 'actions', 'packages', 'statuses'];

/** Caps permissions at `cap` (a called workflow's jobs, a fork's read-only token). */
export function capPermissions(permissions: Json, cap: Json | 'read-only'): { [key: string]: string } {
  const expand = (value: Json): { [key: string]: string } => {
    if (value === 'read-all' || value === 'write-all')
      return Object.fromEntries(WRITE_SCOPES.map((scope) => [scope, value.slice(0, -4)]));
    if (value && typeof value === 'object' && !Array.isArray(value))
      return Object.fromEntries(Object.entries(value).map(([scope, level]) => [scope, String(level)]));
    return {};
  };
  const own = expand(permissions);
  const rank = { none: 0, read: 1, write: 2 } as Record<string, number>;
  const result: { [key: string]: string } = {};
  for (const [scope, level] of Object.entries(own)) {
    // id-token has no read level: a read-only token gets none of it.
    const capped =
      cap === 'read-only'
        ? level === 'write' && scope !== 'id-token'
          ? 'read'
          : scope === 'id-token'
            ? 'none'
            : level
        : (Object.entries(expand(cap)).find(([name]) => name === scope)?.[1] ?? 'none');
    const best = cap === 'read-only' ? capped : (rank[level] ?? 0) <= (rank[capped] ?? 0) ? level : capped;
    if (best !== 'none') result[scope] = best;
  }
  return result;
}

interface CallContext {
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

/** Runs a workflow: every job in needs order, until the end; never throws for a failing step. */
export async function runWorkflow(options: WorkflowRunOptions): Promise<WorkflowRunResult> {
  const record: WorkflowRunResult = { result: 'success', jobs: [], uses: [], log: [] };
  const log = (line: string) => {
    record.log.push(line);
    options.log?.(line);
  };
  const wrapped = { ...options, log };
  try {
    const workflow = await loadWorkflow(
      options.workflow,
      readWorkflowAt(options.services.bareRepo, options.sha, options.workflow),
    );
    const secrets = options.fromFork ? {} : { ...(options.secrets ?? {}) };
    await runJobs({ options: wrapped, workflow, prefix: '', inputs: {}, secrets, record });
  } catch (error) {
    record.error ??= (error as Error).message;
    log(`error: ${(error as Error).message}`);
  }
  if (record.error || record.jobs.some((job) => job.result === 'failure')) record.result = 'failure';
  return record;
}

/** A workflow file as committed at `sha`: GitHub runs the workflow of the event's commit. */
function readWorkflowAt(bareRepo: string, sha: string, file: string): string {
  const result = spawnSync('git', ['--git-dir', bareRepo, 'show', `${sha}:${file}`]);
  if (result.status !== 0) throw new WorkflowError(`${file} does not exist at ${sha.slice(0, 12)}`);
  return result.stdout.toString('utf8');
}

async function runJobs(call: CallContext): Promise<Record<string, JobRecord>> {
  const { workflow } = call;
  const byId = new Map(workflow.jobs.map((job) => [job.id.value, job]));
  const order = jobOrder(
    workflow.jobs.map((job) => ({ id: job.id.value, needs: (job.needs ?? []).map((n) => n.value) })),
  );
  const results: Record<string, JobRecord> = {};
  for (const id of order) {
    const job = byId.get(id)!;
    const needs = (job.needs ?? []).map((n) => n.value);
    const needsContext: { [key: string]: Json } = Object.fromEntries(
      needs.map((need) => [need, { result: results[need]!.result, outputs: results[need]!.outputs }]),
    );
    const scope = baseScope(call, { needs: needsContext });
    const needResults = needs.map((need) => results[need]!.result);
    scope.functions = statusFunctions(() =>
      needResults.some((result) => result === 'failure')
        ? 'failure'
        : needResults.every((result) => result === 'success')
          ? 'success'
          : 'skipped',
    );
    const name = `${call.prefix}${id}`;
    let run: boolean;
    try {
      run = truthy(evaluate(job.if?.expression ?? 'success()', scope));
    } catch (error) {
      throw new WorkflowError(`job ${name}, if: ${(error as Error).message}`);
    }
    if (!run) {
      call.options.log?.(`job ${name}: skipped (if: ${job.if?.expression})`);
      results[id] = emptyJob(name, 'skipped');
      call.record.jobs.push(results[id]);
      continue;
    }
    results[id] =
      job.type === 'reusableWorkflowJob'
        ? await runReusableJob(call, job as ReusableWorkflowJob, name, needsContext)
        : await runMatrixJob(call, job as Job, name, needsContext);
  }
  return results;
}

function emptyJob(name: string, result: JobRecord['result']): JobRecord {
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

function statusFunctions(status: () => 'success' | 'failure' | 'skipped'): ExpressionScope['functions'] {
  return {
    success: { minArgs: 0, maxArgs: 0, call: () => status() === 'success' },
    failure: { minArgs: 0, maxArgs: 0, call: () => status() === 'failure' },
    always: { minArgs: 0, maxArgs: 0, call: () => true },
    // Nothing cancels a local run.
    cancelled: { minArgs: 0, maxArgs: 0, call: () => false },
  };
}

function githubContext(call: CallContext, extra: { [key: string]: Json } = {}): { [key: string]: Json } {
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

function baseScope(call: CallContext, contexts: ExpressionScope['contexts']): ExpressionScope {
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

async function runReusableJob(
  call: CallContext,
  job: ReusableWorkflowJob,
  name: string,
  needs: { [key: string]: Json },
): Promise<JobRecord> {
  const { options } = call;
  const ref = job.ref.value;
  if (!ref.startsWith('./'))
    throw new WorkflowError(`job ${name}: only workflows of the same repository can be called locally, not ${ref}`);
  const file = ref.slice(2);
  // A called workflow of the same repository comes from the caller's commit (github.sha).
  const workflow = await loadWorkflow(file, readWorkflowAt(options.services.bareRepo, options.sha, file));
  const scope = baseScope(call, { needs });
  const inputs = job['input-values'] ? (evaluateToken(job['input-values'], scope) as { [key: string]: Json }) : {};
  const secrets = job['inherit-secrets']
    ? call.secrets
    : job['secret-values']
      ? (Object.fromEntries(
          Object.entries(evaluateToken(job['secret-values'], scope) as object).map(([k, v]) => [
            k,
            asString(v as Json),
          ]),
        ) as Record<string, string>)
      : {};
  const rawJob = mappingValue(mappingValue(call.workflow.root, 'jobs'), job.id.value);
  const permissions = evaluateToken(
    mappingValue(rawJob, 'permissions') ?? mappingValue(call.workflow.root, 'permissions'),
    scope,
  );
  options.log?.(`job ${name}: calls ${file} (from ${options.sha.slice(0, 12)})`);
  const before = call.record.jobs.length;
  const jobs = await runJobs({
    options,
    workflow,
    prefix: `${name}/`,
    inputs,
    secrets,
    permissionCap: permissions,
    record: call.record,
  });
  const results = Object.values(jobs).map((j) => j.result);
  const record = emptyJob(name, results.includes('failure') ? 'failure' : 'success');
  record.permissions = permissions;
  call.record.jobs.splice(before, 0, record);
  return record;
}

async function runMatrixJob(
  call: CallContext,
  job: Job,
  name: string,
  needs: { [key: string]: Json },
): Promise<JobRecord> {
  const scope = baseScope(call, { needs });
  const strategy = job.strategy ? (evaluateToken(job.strategy, scope) as { [key: string]: Json }) : {};
  const combos = expandMatrix(strategy.matrix ?? null).filter(
    (combo) => !call.options.matrixFilter || call.options.matrixFilter(combo),
  );
  let last: JobRecord | undefined;
  for (const matrix of combos) {
    const label = Object.keys(matrix).length
      ? `${name} (${Object.values(matrix)
          .map((v) => asString(v))
          .join(', ')})`
      : name;
    last = await runJob(call, job, label, needs, matrix);
  }
  return last ?? emptyJob(name, 'skipped');
}

interface StepState {
  env: Record<string, string>;
  path: string[];
  steps: { [id: string]: { outputs: Record<string, string>; outcome: string; conclusion: string } };
  status: 'success' | 'failure';
}

async function runJob(
  call: CallContext,
  job: Job,
  name: string,
  needs: { [key: string]: Json },
  matrix: { [key: string]: Json },
): Promise<JobRecord> {
  const { options } = call;
  const log = (line: string) => options.log?.(line);
  const jobDir = path.join(
    options.runRoot,
    `${options.runId}-${name.replace(/[^\w.-]+/g, '_')}-${randomBytes(3).toString('hex')}`,
  );
  const workspace = path.join(jobDir, 'work', options.repository.split('/')[1]!);
  const temp = path.join(jobDir, 'temp');
  const home = path.join(jobDir, 'home');
  for (const dir of [workspace, temp, home, path.join(jobDir, 'tool-cache')]) mkdirSync(dir, { recursive: true });
  const rawJob = mappingValue(mappingValue(call.workflow.root, 'jobs'), job.id.value);
  const record = emptyJob(name, 'success');
  record.workspace = workspace;
  call.record.jobs.push(record);

  const github = githubContext(call, {
    job: job.id.value,
    workspace,
    action: '',
    event_path: path.join(temp, 'event.json'),
  });
  writeFileSync(path.join(temp, 'event.json'), JSON.stringify(options.event.payload));
  const ownPermissions = evaluateToken(
    mappingValue(rawJob, 'permissions') ?? mappingValue(call.workflow.root, 'permissions'),
    baseScope(call, {}),
  );
  let permissions: Json = capPermissions(
    ownPermissions,
    options.fromFork ? 'read-only' : (call.permissionCap ?? 'write-all'),
  );
  if (!mappingValue(rawJob, 'permissions') && !mappingValue(call.workflow.root, 'permissions') && !call.permissionCap)
    permissions = capPermissions('write-all', options.fromFork ? 'read-only' : 'write-all');
  record.permissions = permissions;
  record.writeToken = Object.values(permissions as object).includes('write');
  const secrets = { ...call.secrets, GITHUB_TOKEN: options.githubToken };
  record.secretNames = Object.keys(secrets).sort();

  const runtimeToken = options.services.actions.runtimeToken({
    runId: options.runId,
    job: name,
    ref: options.ref,
    baseRef: options.baseRef ? `refs/heads/${options.baseRef}` : undefined,
    defaultRef: `refs/heads/${options.defaultBranch ?? 'main'}`,
  });
  const state: StepState = { env: {}, path: [], steps: {}, status: 'success' };
  const scope = (): ExpressionScope => ({
    contexts: {
      github,
      inputs: call.inputs,
      secrets,
      vars: {},
      needs,
      matrix,
      strategy: { 'fail-fast': true, 'job-index': 0, 'job-total': 1, 'max-parallel': 1 },
      job: { status: state.status },
      runner: { os: 'Linux', arch: 'X64', name: 'local', temp, tool_cache: path.join(jobDir, 'tool-cache') },
      env: { ...workflowEnv, ...jobEnv, ...state.env },
      steps: state.steps,
    },
    functions: {
      ...statusFunctions(() => state.status),
      hashFiles: {
        minArgs: 1,
        maxArgs: 255,
        call: (...patterns: Json[]) =>
          hashFiles(
            workspace,
            patterns.map((p) => asString(p)),
          ),
      },
    },
  });
  let workflowEnv: Record<string, string> = {};
  let jobEnv: Record<string, string> = {};
  try {
    workflowEnv = stringRecord(evaluateToken(call.workflow.env, scope()));
    jobEnv = stringRecord(evaluateToken(job.env, scope()));
    record.concurrency = job.concurrency ? evaluateToken(job.concurrency, scope()) : null;
  } catch (error) {
    throw new WorkflowError(`job ${name}: ${(error as Error).message}`);
  }
  log(
    `job ${name}: start (permissions ${JSON.stringify(permissions)}${record.concurrency ? `, concurrency ${JSON.stringify(record.concurrency)} recorded, not simulated` : ''})`,
  );

  const runnerEnv = (): Record<string, string> => ({
    ...options.baseEnv,
    HOME: home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_REPOSITORY_OWNER: options.repository.split('/')[0]!,
    GITHUB_REF: options.ref,
    GITHUB_REF_NAME: asString(github.ref_name!),
    GITHUB_REF_TYPE: asString(github.ref_type!),
    GITHUB_SHA: options.sha,
    GITHUB_HEAD_REF: options.headRef ?? '',
    GITHUB_BASE_REF: options.baseRef ?? '',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: path.join(temp, 'event.json'),
    GITHUB_SERVER_URL: options.services.serverUrl,
    GITHUB_API_URL: options.services.apiUrl,
    GITHUB_GRAPHQL_URL: `${options.services.apiUrl}/graphql`,
    GITHUB_RUN_ID: String(options.runId),
    GITHUB_RUN_NUMBER: String(options.runId),
    GITHUB_RUN_ATTEMPT: String(options.runAttempt ?? 1),
    GITHUB_JOB: job.id.value,
    GITHUB_WORKFLOW: call.workflow.name,
    GITHUB_ACTOR: 'octocat',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'local',
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: path.join(jobDir, 'tool-cache'),
    ACTIONS_RUNTIME_TOKEN: runtimeToken,
    ACTIONS_RESULTS_URL: options.services.actions.resultsUrl,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    PETITION_LOCAL_SERVICES_URL: options.services.actions.baseUrl,
    PATH: [...[...state.path].reverse(), options.baseEnv.PATH ?? process.env.PATH ?? ''].join(':'),
  });

  const context: StepRunContext = {
    call,
    jobName: name,
    jobId: job.id.value,
    workspace,
    temp,
    state,
    scope,
    runnerEnv,
    envFor: (stepEnv) => ({ ...runnerEnv(), ...workflowEnv, ...jobEnv, ...state.env, ...stepEnv }),
    posts: [],
  };

  const rawSteps = mappingValue(rawJob, 'steps');
  for (let index = 0; index < job.steps.length; index += 1) {
    const step = job.steps[index] as Step & {
      if?: { expression: string };
      env?: TemplateToken;
      run?: TemplateToken;
      uses?: { value: string };
    };
    const raw =
      rawSteps && 'get' in rawSteps ? (rawSteps as unknown as { get(i: number): TemplateToken }).get(index) : undefined;
    const stepName = stepLabel(step, raw, index);
    const outcome = await runStep(context, {
      id: step.id,
      name: stepName,
      condition: step.if?.expression ?? 'success()',
      env: step.env,
      run: step.run,
      uses: step.uses?.value,
      raw,
      continueOnError: typeof step['continue-on-error'] === 'boolean' ? step['continue-on-error'] : false,
    });
    record.steps.push({ id: step.id, name: stepName, outcome, outputs: state.steps[step.id]?.outputs ?? {} });
  }
  // Post steps run last, in reverse order, each under its own condition (default always()).
  for (const post of context.posts.reverse()) {
    let run = false;
    try {
      run = truthy(evaluate(ifExpression(post.condition), scope()));
    } catch (error) {
      state.status = 'failure';
      call.record.error ??= `job ${name}, post ${post.name}: ${(error as Error).message}`;
    }
    if (!run) continue;
    log(`job ${name}: post ${post.name}`);
    const code = await post.run();
    if (code !== 0) {
      state.status = 'failure';
      call.record.error ??= `job ${name}, post ${post.name}: exited with ${code}`;
    }
  }
  try {
    record.outputs = stringRecord(evaluateToken(job.outputs, scope()));
  } catch (error) {
    state.status = 'failure';
    call.record.error ??= `job ${name}, outputs: ${(error as Error).message}`;
  }
  const summary = path.join(temp, 'summary.md');
  record.summary = existsSync(summary) ? readFileSync(summary, 'utf8') : '';
  record.result = state.status;
  log(`job ${name}: ${record.result}`);
  return record;
}

function stepLabel(
  step: { id: string; name?: unknown; uses?: { value: string } },
  raw: TemplateToken | undefined,
  index: number,
): string {
  const name = mappingValue(raw, 'name');
  if (name && 'value' in name) return String((name as unknown as { value: unknown }).value);
  if (step.uses) return step.uses.value;
  const run = mappingValue(raw, 'run');
  if (run && 'value' in run) return `run: ${String((run as unknown as { value: unknown }).value).split('\n')[0]}`;
  return `step ${index + 1}`;
}

function stringRecord(value: Json): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asString(item)]));
}

/** What a step needs of its job. */
export interface StepRunContext {
  call: CallContext;
  jobName: string;
  jobId: string;
  workspace: string;
  temp: string;
  state: StepState;
  scope: () => ExpressionScope;
  runnerEnv: () => Record<string, string>;
  envFor: (stepEnv: Record<string, string>) => Record<string, string>;
  posts: Array<{ name: string; condition?: string; run: () => Promise<number> }>;
}

interface StepSpec {
  id: string;
  name: string;
  condition: string;
  env?: TemplateToken;
  run?: TemplateToken;
  uses?: string;
  raw?: TemplateToken;
  continueOnError: boolean;
}

async function runStep(context: StepRunContext, step: StepSpec): Promise<'success' | 'failure' | 'skipped'> {
  const { call, jobName, state } = context;
  const log = (line: string) => call.options.log?.(line);
  const where = `job ${jobName}, step "${step.name}"`;
  let outcome: 'success' | 'failure' | 'skipped' = 'success';
  const outputs: Record<string, string> = {};
  try {
    if (!truthy(evaluate(step.condition, context.scope()))) {
      log(`${where}: skipped`);
      state.steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      return 'skipped';
    }
    const stepEnv = stringRecord(evaluateToken(step.env, context.scope()));
    if (step.run) {
      const script = asString(evaluateToken(step.run, context.scope()));
      const shell = asString(evaluateToken(mappingValue(step.raw, 'shell'), context.scope())) || 'bash';
      const directory = asString(evaluateToken(mappingValue(step.raw, 'working-directory'), context.scope()));
      const code = await runScript(context, {
        where,
        script,
        shell,
        cwd: directory ? path.resolve(context.workspace, directory) : context.workspace,
        env: stepEnv,
        outputs,
      });
      if (code !== 0) throw new WorkflowError(`${where}: exited with ${code}`);
    } else if (step.uses) {
      const withValues = stringRecord(evaluateToken(mappingValue(step.raw, 'with'), context.scope()));
      const action = resolveAction(step.uses, call.options.actionsDir);
      call.record.uses.push({ job: jobName, step: step.name, uses: step.uses, mode: action.mode });
      log(
        `${where}: ${step.uses} runs ${action.mode === 'real' ? 'its REAL code' : 'our STAND-IN'} (${action.describe})`,
      );
      const code = await runAction(context, action, { where, with: withValues, env: stepEnv, outputs });
      if (code !== 0) throw new WorkflowError(`${where}: ${step.uses} exited with ${code}`);
    } else throw new WorkflowError(`${where}: a step kind the local runner does not know`);
  } catch (error) {
    outcome = 'failure';
    const message = error instanceof WorkflowError ? error.message : `${where}: ${(error as Error).message}`;
    log(message);
    if (!step.continueOnError) {
      state.status = 'failure';
      call.record.error ??= message;
    }
  }
  state.steps[step.id] = {
    outputs,
    outcome,
    conclusion: outcome === 'failure' && step.continueOnError ? 'success' : outcome,
  };
  return outcome;
}

/** Runs a script as a `run:` step does, then reads the files it may have written. */
export async function runScript(
  context: StepRunContext,
  spec: {
    where: string;
    script: string;
    shell: string;
    cwd: string;
    env: Record<string, string>;
    outputs: Record<string, string>;
  },
): Promise<number> {
  const { call, jobId } = context;
  const override = call.options.stepOverrides?.[`${jobId}\n${spec.script}`];
  if (override !== undefined) call.options.log?.(`${spec.where}: run: script replaced by the test's override`);
  const script = override ?? spec.script;
  const file = path.join(context.temp, `step-${randomBytes(4).toString('hex')}.sh`);
  writeFileSync(file, script);
  const command =
    spec.shell === 'bash'
      ? ['bash', '--noprofile', '--norc', '-eo', 'pipefail', file]
      : spec.shell === 'sh'
        ? ['sh', '-e', file]
        : undefined;
  if (!command) throw new WorkflowError(`${spec.where}: shell ${spec.shell} is not supported by the local runner`);
  return runWithFiles(context, spec.where, command, spec.cwd, spec.env, spec.outputs);
}

/** Runs a process with fresh GITHUB_OUTPUT/ENV/PATH/STATE/STEP_SUMMARY files and reads them after. */
export async function runWithFiles(
  context: StepRunContext,
  where: string,
  command: string[],
  cwd: string,
  env: Record<string, string>,
  outputs: Record<string, string>,
  stateFile?: string,
): Promise<number> {
  const files = Object.fromEntries(
    ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE'].map((name) => [
      name,
      path.join(context.temp, `${name.toLowerCase()}-${randomBytes(4).toString('hex')}`),
    ]),
  );
  if (stateFile) files.GITHUB_STATE = stateFile;
  for (const file of Object.values(files)) if (!existsSync(file)) writeFileSync(file, '');
  const summaryPart = path.join(context.temp, `summary-${randomBytes(4).toString('hex')}.md`);
  writeFileSync(summaryPart, '');
  const code = await spawnLogged(
    command,
    cwd,
    { ...context.envFor(env), ...files, GITHUB_STEP_SUMMARY: summaryPart },
    (line) => context.call.options.log?.(`  | ${line}`),
  );
  Object.assign(outputs, parseKeyValueFile(readFileSync(files.GITHUB_OUTPUT!, 'utf8')));
  Object.assign(context.state.env, parseKeyValueFile(readFileSync(files.GITHUB_ENV!, 'utf8')));
  context.state.path.push(...readFileSync(files.GITHUB_PATH!, 'utf8').split('\n').filter(Boolean));
  appendFileSync(path.join(context.temp, 'summary.md'), readFileSync(summaryPart));
  if (code !== 0) context.call.options.log?.(`${where}: exited with ${code}`);
  return code;
}

/** Spawns a process in its own group, streams its output line by line, answers its exit code. */
function spawnLogged(
  command: string[],
  cwd: string,
  env: Record<string, string>,
  line: (text: string) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (pending) line(pending);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Runs an action (real or stand-in), with inputs from `with:` and action.yml's defaults. */
async function runAction(
  context: StepRunContext,
  action: ResolvedAction,
  spec: { where: string; with: Record<string, string>; env: Record<string, string>; outputs: Record<string, string> },
): Promise<number> {
  const inputs: Record<string, string> = {};
  for (const [name, definition] of Object.entries(action.inputs)) {
    if (spec.with[name] !== undefined) inputs[name] = spec.with[name]!;
    // `default: null` in an action.yml means no default, as on GitHub (not the text "null").
    else if (definition.default !== undefined && definition.default !== null)
      inputs[name] = interpolate(String(definition.default), context.scope());
  }
  for (const name of Object.keys(spec.with))
    if (!(name in action.inputs)) context.call.options.log?.(`${spec.where}: warning: unexpected input ${name}`);
  if (action.runs.using === 'composite') return runComposite(context, action, spec, inputs);
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );
  const node = action.command;
  const stateFile = path.join(context.temp, `state-${randomBytes(4).toString('hex')}`);
  writeFileSync(stateFile, '');
  const env = { ...spec.env, ...inputEnv };
  if (action.runs.pre) {
    // GitHub runs pre at job set-up; locally it runs just before main, with the same inputs.
    const code = await runWithFiles(
      context,
      spec.where,
      [...node, path.join(action.dir, action.runs.pre)],
      context.workspace,
      env,
      {},
      stateFile,
    );
    if (code !== 0) return code;
  }
  const code = await runWithFiles(
    context,
    spec.where,
    [...node, path.join(action.dir, action.runs.main!)],
    context.workspace,
    env,
    spec.outputs,
    stateFile,
  );
  if (action.runs.post) {
    const post = action.runs.post;
    context.posts.push({
      name: `${spec.where} (${action.uses})`,
      condition: action.runs['post-if'] ?? 'always()',
      run: () => {
        const saved = parseKeyValueFile(readFileSync(stateFile, 'utf8'));
        const stateEnv = Object.fromEntries(Object.entries(saved).map(([key, value]) => [`STATE_${key}`, value]));
        return runWithFiles(
          context,
          spec.where,
          [...node, path.join(action.dir, post)],
          context.workspace,
          { ...env, ...stateEnv },
          {},
          stateFile,
        );
      },
    });
  }
  return code;
}

async function runComposite(
  context: StepRunContext,
  action: ResolvedAction,
  spec: { where: string; with: Record<string, string>; env: Record<string, string>; outputs: Record<string, string> },
  inputs: Record<string, string>,
): Promise<number> {
  const steps: { [id: string]: { outputs: Record<string, string>; outcome: string; conclusion: string } } = {};
  let failed = false;
  const scope = (): ExpressionScope => {
    const outer = context.scope();
    return {
      contexts: { ...outer.contexts, inputs, steps, env: { ...(outer.contexts.env as object), ...spec.env } as Json },
      functions: { ...outer.functions, ...statusFunctions(() => (failed ? 'failure' : context.state.status)) },
    };
  };
  const list = (action.runs.steps ?? []) as Array<Record<string, unknown>>;
  for (let index = 0; index < list.length; index += 1) {
    const step = list[index]!;
    const id = typeof step.id === 'string' ? step.id : `__composite_${index}`;
    const where = `${spec.where} > ${typeof step.name === 'string' ? step.name : (step.uses ?? `step ${index + 1}`)}`;
    const outputs: Record<string, string> = {};
    if (!truthy(evaluate(ifExpression(typeof step.if === 'string' ? step.if : undefined), scope()))) {
      steps[id] = { outputs, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    const env = {
      ...spec.env,
      ...Object.fromEntries(
        Object.entries((step.env ?? {}) as object).map(([k, v]) => [k, interpolate(String(v), scope())]),
      ),
    };
    let code: number;
    if (typeof step.run === 'string') {
      if (typeof step.shell !== 'string') throw new WorkflowError(`${where}: a composite run step needs a shell`);
      code = await runScript(context, {
        where,
        script: interpolate(step.run, scope()),
        shell: step.shell,
        cwd: context.workspace,
        env,
        outputs,
      });
    } else if (typeof step.uses === 'string') {
      const nested = resolveAction(step.uses, context.call.options.actionsDir);
      context.call.record.uses.push({ job: context.jobName, step: where, uses: step.uses, mode: nested.mode });
      context.call.options.log?.(
        `${where}: ${step.uses} runs ${nested.mode === 'real' ? 'its REAL code' : 'our STAND-IN'} (${nested.describe})`,
      );
      const withValues = Object.fromEntries(
        Object.entries((step.with ?? {}) as object).map(([k, v]) => [k, interpolate(String(v), scope())]),
      );
      code = await runAction(context, nested, { where, with: withValues, env, outputs });
    } else throw new WorkflowError(`${where}: a composite step kind the local runner does not know`);
    steps[id] = {
      outputs,
      outcome: code === 0 ? 'success' : 'failure',
      conclusion: code === 0 ? 'success' : 'failure',
    };
    if (code !== 0) {
      failed = true;
      context.call.options.log?.(`${where}: exited with ${code}`);
      return code;
    }
  }
  for (const [name, definition] of Object.entries(action.outputs))
    if (definition.value !== undefined) spec.outputs[name] = interpolate(String(definition.value), scope());
  return 0;
}
