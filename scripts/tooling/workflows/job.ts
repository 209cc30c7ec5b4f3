/**
 * One job of a run (one matrix combination): its folders, token permissions, environment and
 * scope, then its steps, post steps and outputs, as GitHub's runner runs them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { Job, Step } from '@actions/workflow-parser/model/workflow-template';
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
import { capPermissions, ifExpression, WorkflowError } from './workflow-file.ts';
import {
  emptyJob,
  githubContext,
  baseScope,
  statusFunctions,
  stringRecord,
  type CallContext,
  type JobRecord,
} from './run-context.ts';
import { runStep, type StepRunContext } from './steps.ts';

/** What the steps of a job share and change: GITHUB_ENV, GITHUB_PATH, steps.*, the job's status. */
export interface StepState {
  env: Record<string, string>;
  path: string[];
  steps: { [id: string]: { outputs: Record<string, string>; outcome: string; conclusion: string } };
  status: 'success' | 'failure';
}

/** A job's folders on this host, as the runner lays them out. */
interface JobFolders {
  jobDir: string;
  workspace: string;
  temp: string;
  home: string;
  toolCache: string;
}

function jobFolders(call: CallContext, name: string): JobFolders {
  const { options } = call;
  const jobDir = path.join(
    options.runRoot,
    `${options.runId}-${name.replace(/[^\w.-]+/g, '_')}-${randomBytes(3).toString('hex')}`,
  );
  const folders = {
    jobDir,
    workspace: path.join(jobDir, 'work', options.repository.split('/')[1]!),
    temp: path.join(jobDir, 'temp'),
    home: path.join(jobDir, 'home'),
    toolCache: path.join(jobDir, 'tool-cache'),
  };
  for (const dir of [folders.workspace, folders.temp, folders.home, folders.toolCache])
    mkdirSync(dir, { recursive: true });
  return folders;
}

/** The job's token permissions: its own (or the workflow's), capped by a caller or a fork. */
function jobPermissions(call: CallContext, rawJob: TemplateToken | undefined): { [key: string]: string } {
  const { options } = call;
  const declared = mappingValue(rawJob, 'permissions') ?? mappingValue(call.workflow.root, 'permissions');
  const ownPermissions = evaluateToken(declared, baseScope(call, {}));
  if (!declared && !call.permissionCap)
    return capPermissions('write-all', options.fromFork ? 'read-only' : 'write-all');
  return capPermissions(ownPermissions, options.fromFork ? 'read-only' : (call.permissionCap ?? 'write-all'));
}

/** The environment the runner gives every step of a job, before workflow, job and step `env:`. */
function runnerEnvironment(
  call: CallContext,
  job: Job,
  folders: JobFolders,
  github: { [key: string]: Json },
  state: StepState,
  runtimeToken: string,
): Record<string, string> {
  const { options } = call;
  return {
    ...options.baseEnv,
    HOME: folders.home,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: folders.workspace,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_REPOSITORY_OWNER: options.repository.split('/')[0]!,
    GITHUB_REF: options.ref,
    GITHUB_REF_NAME: asString(github.ref_name!),
    GITHUB_REF_TYPE: asString(github.ref_type!),
    GITHUB_SHA: options.sha,
    GITHUB_HEAD_REF: options.headRef ?? '',
    GITHUB_BASE_REF: options.baseRef ?? '',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: path.join(folders.temp, 'event.json'),
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
    RUNNER_TEMP: folders.temp,
    RUNNER_TOOL_CACHE: folders.toolCache,
    ACTIONS_RUNTIME_TOKEN: runtimeToken,
    ACTIONS_RESULTS_URL: options.services.actions.resultsUrl,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    PETITION_LOCAL_SERVICES_URL: options.services.actions.baseUrl,
    PATH: [...[...state.path].reverse(), options.baseEnv.PATH ?? process.env.PATH ?? ''].join(':'),
  };
}

/** The scope a job's expressions see, as it is at the moment of asking. */
function jobScope(
  call: CallContext,
  parts: {
    github: { [key: string]: Json };
    secrets: Record<string, string>;
    needs: { [key: string]: Json };
    matrix: { [key: string]: Json };
    folders: JobFolders;
    state: StepState;
    envs: { workflow: Record<string, string>; job: Record<string, string> };
  },
): () => ExpressionScope {
  const { github, secrets, needs, matrix, folders, state, envs } = parts;
  return (): ExpressionScope => ({
    contexts: {
      github,
      inputs: call.inputs,
      secrets,
      vars: {},
      needs,
      matrix,
      strategy: { 'fail-fast': true, 'job-index': 0, 'job-total': 1, 'max-parallel': 1 },
      job: { status: call.record.cancelled ? 'cancelled' : state.status },
      runner: { os: 'Linux', arch: 'X64', name: 'local', temp: folders.temp, tool_cache: folders.toolCache },
      env: { ...envs.workflow, ...envs.job, ...state.env },
      steps: state.steps,
    },
    functions: {
      ...statusFunctions(
        () => state.status,
        () => call.record.cancelled === true,
      ),
      hashFiles: {
        minArgs: 1,
        maxArgs: 255,
        call: (...patterns: Json[]) =>
          hashFiles(
            folders.workspace,
            patterns.map((p) => asString(p)),
          ),
      },
    },
  });
}

/** Everything a job's steps need, built before the first step runs. */
function prepareJob(
  call: CallContext,
  job: Job,
  name: string,
  needs: { [key: string]: Json },
  matrix: { [key: string]: Json },
): { record: JobRecord; context: StepRunContext; rawJob: TemplateToken | undefined } {
  const { options } = call;
  const folders = jobFolders(call, name);
  const rawJob = mappingValue(mappingValue(call.workflow.root, 'jobs'), job.id.value);
  const record = emptyJob(name, 'success');
  record.workspace = folders.workspace;
  call.record.jobs.push(record);
  const github = githubContext(call, {
    job: job.id.value,
    workspace: folders.workspace,
    action: '',
    event_path: path.join(folders.temp, 'event.json'),
  });
  writeFileSync(path.join(folders.temp, 'event.json'), JSON.stringify(options.event.payload));
  record.permissions = jobPermissions(call, rawJob);
  record.writeToken = Object.values(record.permissions as object).includes('write');
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
  const envs = { workflow: {} as Record<string, string>, job: {} as Record<string, string> };
  const scope = jobScope(call, { github, secrets, needs, matrix, folders, state, envs });
  try {
    envs.workflow = stringRecord(evaluateToken(call.workflow.env, scope()));
    envs.job = stringRecord(evaluateToken(job.env, scope()));
    record.concurrency = job.concurrency ? evaluateToken(job.concurrency, scope()) : null;
  } catch (error) {
    throw new WorkflowError(`job ${name}: ${(error as Error).message}`);
  }
  const runnerEnv = () => runnerEnvironment(call, job, folders, github, state, runtimeToken);
  const context: StepRunContext = {
    call,
    jobName: name,
    jobId: job.id.value,
    workspace: folders.workspace,
    temp: folders.temp,
    state,
    scope,
    runnerEnv,
    envFor: (stepEnv) => ({ ...runnerEnv(), ...envs.workflow, ...envs.job, ...state.env, ...stepEnv }),
    posts: [],
  };
  return { record, context, rawJob };
}

/** Runs a job's steps in order; after each, the test hook, then a requested cancellation. */
async function runSteps(context: StepRunContext, job: Job, rawJob: TemplateToken | undefined, record: JobRecord) {
  const { options } = context.call;
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
    record.steps.push({
      id: step.id,
      name: stepName,
      outcome,
      outputs: context.state.steps[step.id]?.outputs ?? {},
    });
    await options.afterStep?.({ job: context.jobName, step: step.id, outcome });
    if (options.cancelAfterStep === `${context.jobName}/${step.id}` && !context.call.record.cancelled) {
      context.call.record.cancelled = true;
      options.log?.(`job ${context.jobName}: the run is CANCELLED after step ${step.id} (cancelAfterStep)`);
    }
  }
}

/** Post steps run last, in reverse order, each under its own condition (default always()). */
async function runPosts(context: StepRunContext) {
  const { call, jobName: name, state } = context;
  for (const post of context.posts.reverse()) {
    let run = false;
    try {
      run = truthy(evaluate(ifExpression(post.condition), context.scope()));
    } catch (error) {
      state.status = 'failure';
      call.record.error ??= `job ${name}, post ${post.name}: ${(error as Error).message}`;
    }
    if (!run) continue;
    call.options.log?.(`job ${name}: post ${post.name}`);
    const code = await post.run();
    if (code !== 0) {
      state.status = 'failure';
      call.record.error ??= `job ${name}, post ${post.name}: exited with ${code}`;
    }
  }
}

/** Runs one job (one matrix combination) to the end; a failing step fails the job, not the runner. */
export async function runJob(
  call: CallContext,
  job: Job,
  name: string,
  needs: { [key: string]: Json },
  matrix: { [key: string]: Json },
): Promise<JobRecord> {
  const log = (line: string) => call.options.log?.(line);
  const { record, context, rawJob } = prepareJob(call, job, name, needs, matrix);
  const { state } = context;
  log(
    `job ${name}: start (permissions ${JSON.stringify(record.permissions)}${record.concurrency ? `, concurrency ${JSON.stringify(record.concurrency)} recorded, not simulated` : ''})`,
  );
  await runSteps(context, job, rawJob, record);
  await runPosts(context);
  try {
    record.outputs = stringRecord(evaluateToken(job.outputs, context.scope()));
  } catch (error) {
    state.status = 'failure';
    call.record.error ??= `job ${name}, outputs: ${(error as Error).message}`;
  }
  const summary = path.join(context.temp, 'summary.md');
  record.summary = existsSync(summary) ? readFileSync(summary, 'utf8') : '';
  record.result = state.status === 'failure' ? 'failure' : call.record.cancelled ? 'cancelled' : state.status;
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
