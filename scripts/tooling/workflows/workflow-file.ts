/**
 * Reading a workflow as GitHub does: the file at the run's commit, parsed and converted by GitHub's
 * own parser, and the small pure pieces the runner builds on (job order, matrices, permissions,
 * the runner's `name=value` files, `${{ }}` in strings and `if:`).
 */
import { spawnSync } from 'node:child_process';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { asString, evaluate, type ExpressionScope, type Json } from './expressions.ts';

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
export interface LoadedWorkflow {
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

/** A workflow file as committed at `sha`: GitHub runs the workflow of the event's commit. */
export function readWorkflowAt(bareRepo: string, sha: string, file: string): string {
  const result = spawnSync('git', ['--git-dir', bareRepo, 'show', `${sha}:${file}`]);
  if (result.status !== 0) throw new WorkflowError(`${file} does not exist at ${sha.slice(0, 12)}`);
  return result.stdout.toString('utf8');
}
