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
 * Modules: ./workflow-file.ts (parsing, pure helpers), ./run-context.ts (options, records, the
 * scope), ./job.ts (one job), ./steps.ts (one step, actions, composites).
 *
 * Not simulated: runners and their images (steps run on this host), job containers and
 * services, timeouts, and concurrency groups (evaluated and recorded, never queued or cancelled).
 * A cancellation is simulated only on request (WorkflowRunOptions.cancelAfterStep).
 */
import type { Job, ReusableWorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { asString, evaluate, evaluateToken, mappingValue, truthy, type Json } from './expressions.ts';
import { expandMatrix, jobOrder, loadWorkflow, readWorkflowAt, WorkflowError } from './workflow-file.ts';
import {
  baseScope,
  emptyJob,
  statusFunctions,
  type CallContext,
  type JobRecord,
  type WorkflowRunOptions,
  type WorkflowRunResult,
} from './run-context.ts';
import { runJob } from './job.ts';

export {
  capPermissions,
  expandMatrix,
  ifExpression,
  interpolate,
  jobOrder,
  loadWorkflow,
  parseKeyValueFile,
  whereInWorkflow,
  WorkflowError,
} from './workflow-file.ts';
export type {
  JobRecord,
  RunnerServices,
  StepHookInfo,
  UsesRecord,
  WorkflowRunOptions,
  WorkflowRunResult,
} from './run-context.ts';
export { runScript, runWithFiles, type StepRunContext } from './steps.ts';

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
  else if (record.cancelled) record.result = 'cancelled';
  return record;
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
    scope.functions = statusFunctions(
      () =>
        needResults.some((result) => result === 'failure')
          ? 'failure'
          : needResults.every((result) => result === 'success')
            ? 'success'
            : 'skipped',
      () => call.record.cancelled === true,
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
      results[id] = emptyJob(name, call.record.cancelled ? 'cancelled' : 'skipped');
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
  const record = emptyJob(
    name,
    results.includes('failure') ? 'failure' : call.record.cancelled ? 'cancelled' : 'success',
  );
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
