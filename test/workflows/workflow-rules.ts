/**
 * Safety rules for GitHub Actions workflows, checked on the raw YAML text (comments matter: the
 * version comment beside a pinned SHA is only in the text).
 */
import YAML from 'yaml';

/**
 * Expression contexts a stranger controls: issue, comment and pull request text, branch names,
 * commit messages and authors. Interpolated into a `run:` script, they become shell code.
 * After GitHub Security Lab's list of untrusted inputs.
 */
const UNTRUSTED_CONTEXTS: readonly RegExp[] = [
  /\bgithub\.event\.issue\b/,
  /\bgithub\.event\.comment\b/,
  /\bgithub\.event\.review(_comment)?\b/,
  /\bgithub\.event\.discussion(_comment)?\b/,
  /\bgithub\.event\.pull_request\.(title|body|head)\b/,
  /\bgithub\.event\.pages\b/,
  /\bgithub\.event\.(commits|head_commit)\b/,
  /\bgithub\.event\.workflow_run\.(head_branch|head_commit|display_title|pull_requests)\b/,
  /\bgithub\.head_ref\b/,
  /\bgithub\.event\.inputs\b/,
  /\binputs\./,
  /\bsteps\.[\w-]+\.outputs\b/,
];

export interface WorkflowProblem {
  job?: string;
  message: string;
}

type Job = Record<string, unknown> & { steps?: Array<Record<string, unknown>> };
type Workflow = { jobs?: Record<string, Job>; permissions?: unknown };

/** The `${{ … }}` expressions in a string. */
function expressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((match) => match[1]!.trim());
}

/** `run:` scripts that interpolate text a stranger controls. */
export function untrustedInterpolations(yamlText: string): WorkflowProblem[] {
  const workflow = YAML.parse(yamlText) as Workflow;
  const problems: WorkflowProblem[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (typeof step.run !== 'string') continue;
      for (const expression of expressions(step.run)) {
        if (UNTRUSTED_CONTEXTS.some((pattern) => pattern.test(expression)))
          problems.push({
            job: jobName,
            message: `step ${index + 1} (${String(step.name ?? step.id ?? 'run')}) interpolates \${{ ${expression} }} into its script; pass it through env instead`,
          });
      }
    }
  }
  return problems;
}

/** The permissions each job is granted, as declared; a job without a block inherits and is reported. */
export function jobPermissions(yamlText: string): {
  workflow: unknown;
  jobs: Record<string, Record<string, string> | string | undefined>;
} {
  const workflow = YAML.parse(yamlText) as Workflow;
  const jobs: Record<string, Record<string, string> | string | undefined> = {};
  for (const [jobName, job] of Object.entries(workflow.jobs ?? {}))
    jobs[jobName] = job.permissions as Record<string, string> | string | undefined;
  return { workflow: workflow.permissions, jobs };
}

/** Every `uses:` of another repository's action that is not pinned to a full commit SHA with a version comment. */
export function unpinnedActions(yamlText: string): string[] {
  const problems: string[] = [];
  for (const [index, line] of yamlText.split('\n').entries()) {
    const match = /^\s*(?:-\s*)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(#.*)?$/.exec(line);
    if (!match) continue;
    const reference = match[2]!;
    const comment = match[3];
    if (reference.startsWith('./') || reference.startsWith('docker://')) continue;
    const [, ref = ''] = reference.split('@');
    if (!/^[0-9a-f]{40}$/.test(ref))
      problems.push(`line ${index + 1}: ${reference} is not pinned to a full commit SHA`);
    else if (!comment || !/#\s*v\d+(\.\d+){0,2}\b/.test(comment))
      problems.push(`line ${index + 1}: ${reference} has no version comment such as "# v4.2.2"`);
  }
  return problems;
}
