/**
 * One step of a job: a `run:` script in its shell with the runner's files, or an action (its
 * real code or our stand-in, ./actions.ts), composite actions step by step, and `post` steps.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import {
  asString,
  evaluate,
  evaluateToken,
  mappingValue,
  truthy,
  type ExpressionScope,
  type Json,
} from './expressions.ts';
import { resolveAction, type ResolvedAction } from './actions.ts';
import { ifExpression, interpolate, parseKeyValueFile, WorkflowError } from './workflow-file.ts';
import { statusFunctions, stringRecord, type CallContext } from './run-context.ts';
import type { StepState } from './job.ts';

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

export interface StepSpec {
  id: string;
  name: string;
  condition: string;
  env?: TemplateToken;
  run?: TemplateToken;
  uses?: string;
  raw?: TemplateToken;
  continueOnError: boolean;
}

/** Runs one step under its `if:`, recording its outcome and outputs in the job's state. */
export async function runStep(context: StepRunContext, step: StepSpec): Promise<'success' | 'failure' | 'skipped'> {
  const { call, jobName, state } = context;
  const log = (line: string) => call.options.log?.(line);
  const where = `job ${jobName}, step "${step.name}"`;
  let outcome: 'success' | 'failure' | 'skipped' = 'success';
  const outputs: Record<string, string> = {};
  const started = performance.now();
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
  // As GitHub shows each step's duration: where a run's time went.
  log(`${where}: ${outcome} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
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
      functions: {
        ...outer.functions,
        ...statusFunctions(
          () => (failed ? 'failure' : context.state.status),
          () => context.call.record.cancelled === true,
        ),
      },
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
