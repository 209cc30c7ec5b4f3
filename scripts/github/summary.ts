/**
 * What one run of the processor did, for the people who read it: the summary itself, the job
 * summary in Markdown for maintainers, and plain log lines. Nothing a signer wrote reaches the
 * log: issues by number, outcomes and problem codes; the Markdown quotes signers' text only in
 * inert code spans.
 */
import { OUTCOMES, type IssueAction, type Plan } from '../core/decide.ts';
import type { Catalog } from '../core/i18n.ts';
import { problemMessage, type ProblemCode } from '../core/messages.ts';
import { inertMarkdown } from '../core/text.ts';

/** What one sweep did: the commit, what each issue came to, the failures and the next ledger. */
export interface RunSummary {
  commitSha?: string;
  committed: boolean;
  /** Whether the site should be rebuilt: this run committed, or finished answering a commit an earlier run made. */
  publish: boolean;
  counts: Record<IssueAction['outcome'], number>;
  actions: Array<{ issue: number; outcome: IssueAction['outcome']; problems: ProblemCode[]; messages: string[] }>;
  failures: Array<{ issue: number; error: string }>;
  /** Set when GitHub refused the commit for good: what the maintainer must change. */
  refusal?: string;
  /** The ledger for the next run. */
  answered: Record<string, string>;
  requests: number;
}

/**
 * The summary of a sweep from its plan, its commit and its answers. Problems are worded in
 * `catalog`'s language (the petition's own: the summary is for maintainers), signers' text inert.
 */
export function runSummary(
  plan: Plan,
  commit: { sha?: string; refusal?: string },
  answers: { failures: RunSummary['failures']; answered: Record<string, string>; finishedEarlier: boolean },
  catalog: Catalog,
  requests: number,
): RunSummary {
  const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as RunSummary['counts'];
  for (const action of plan.actions) counts[action.outcome] += 1;
  return {
    commitSha: commit.sha,
    committed: Boolean(commit.sha),
    publish: Boolean(commit.sha) || answers.finishedEarlier,
    counts,
    actions: plan.actions.map((action) => ({
      issue: action.issue.number,
      outcome: action.outcome,
      problems: action.problems.map((problem) => problem.code),
      messages: action.problems.map((problem) => problemMessage(problem, (text) => inertMarkdown(text, 60), catalog)),
    })),
    failures: answers.failures,
    refusal: commit.refusal,
    answered: answers.answered,
    requests,
  };
}

/**
 * The run summary as Markdown for the Action's job summary. Problems are worded as the signer
 * read them, with their own text in inert code spans; table pipes are escaped.
 */
export function summaryMarkdown(summary: RunSummary, repository: string): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = summary.actions
    .filter((action) => action.outcome !== 'still-rejected')
    .map(
      (action) =>
        `| [#${action.issue}](https://github.com/${repository}/issues/${action.issue}) | ${action.outcome} | ${action.messages.map(cell).join('<br>')} |`,
    );
  const c = summary.counts;
  return [
    '## Signature processor',
    '',
    `Accepted ${c.signed}, updated ${c.updated}, already recorded ${c.recorded}, withdrawn ${c.withdrawn}, rejected ${c.rejected + c['petition-closed']} (${c['still-rejected']} still waiting for a fix), refused ${c.refused}, superseded ${c.superseded}, nothing to withdraw ${c['not-signed']}.`,
    '',
    summary.commitSha
      ? `Commit: https://github.com/${repository}/commit/${summary.commitSha}`
      : 'No commit in this run.',
    `API requests: ${summary.requests}.`,
    summary.refusal ? `\n**The commit was refused:** ${summary.refusal}` : '',
    summary.failures.length
      ? `\n**Failures (retried next run):** ${summary.failures.map((failure) => `#${failure.issue}: ${failure.error}`).join('; ')}`
      : '',
    '',
    rows.length ? '| Issue | Outcome | Reasons |\n| --- | --- | --- |\n' + rows.join('\n') : '',
    '',
  ].join('\n');
}

/** The run as plain log lines: issue numbers, outcomes and problem codes, never signer text. */
export function summaryLogLines(summary: RunSummary): string[] {
  const lines = [
    `Outcomes: ${
      OUTCOMES.filter((outcome) => summary.counts[outcome] > 0)
        .map((outcome) => `${outcome} ${summary.counts[outcome]}`)
        .join(', ') || 'no open signature or withdrawal issues'
    }.`,
    summary.commitSha ? `Commit ${summary.commitSha}.` : 'No commit in this run.',
    `API requests: ${summary.requests}.`,
  ];
  for (const action of summary.actions)
    if (action.outcome !== 'still-rejected')
      lines.push(
        `#${action.issue} ${action.outcome}${action.problems.length ? ` (${action.problems.join(', ')})` : ''}`,
      );
  for (const failure of summary.failures) lines.push(`#${failure.issue} not finished: ${failure.error}`);
  return lines;
}
