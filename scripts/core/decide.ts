/**
 * Deciding what a run does: from the open signature and withdrawal issues and what is already
 * in the repository, the file changes for ONE commit and what to tell each issue. Pure.
 *
 * `decide()` dispatches: each issue to the decision for its kind (`decide-issues.ts`), then each
 * account whose issues were accepted to the one that settles it. The plan's types and the labels
 * live in `plan.ts` and are re-exported here, where callers have always found them.
 */
import { decideIssue, settleAccount, type Accepted, type DecideContext } from './decide-issues.ts';
import { formFieldsFromTemplate } from './issue-form.ts';
import type { DecideInput, LanguageForms, Outcome, Plan } from './plan.ts';
import { isPetitionOpen } from './settings.ts';
import { signatureRelativePath } from './signature-file.ts';

export {
  GHOST_ACCOUNT,
  LABEL_DEFINITIONS,
  LABELS,
  OUTCOMES,
  OWN_LABELS,
  type BlockedAccount,
  type DecideInput,
  type FileHistory,
  type IssueAction,
  type IssueKind,
  type IssueSnapshot,
  type LanguageForms,
  type Outcome,
  type Plan,
} from './plan.ts';
export { needsHistory, parseInAnyLanguage } from './decide-issues.ts';
export { formFieldsFromTemplate };

/** Reads "#W withdrawal by user U (signature from #S)" lines back from a withdrawal commit. */
export function withdrawalFromCommitMessage(
  message: string,
  userId: number,
): { withdrawalIssue: number; signatureIssue?: number } | undefined {
  for (const line of message.split('\n', 2000)) {
    const match = /^#(\d{1,9}) withdrawal by user (\d{1,16})(?: \(signature from #(\d{1,9})\))?$/.exec(line);
    if (match && Number(match[2]) === userId)
      return { withdrawalIssue: Number(match[1]), signatureIssue: match[3] ? Number(match[3]) : undefined };
  }
  return undefined;
}

/** Decides every issue's outcome and the one commit's file changes. */
export function decide(input: DecideInput): Plan {
  const folder = input.signaturesFolder ?? 'signatures';
  const forms: readonly LanguageForms[] = input.forms ?? [
    { language: input.settings.language, sign: input.signFields ?? [], withdraw: input.withdrawFields ?? [] },
  ];
  if (forms.length === 0) throw new Error('decide() needs the forms of at least one language.');
  const context: DecideContext = {
    input,
    forms,
    open: isPetitionOpen(input.settings, input.now),
    pathOf: (userId) => `${folder}/${signatureRelativePath(userId)}`,
    languageOf: new Map(),
    actions: [],
  };

  // One signature per account: the account's latest issue in this run decides.
  const byAccount = new Map<number, Accepted[]>();
  for (const issue of [...input.issues].sort((a, b) => a.number - b.number)) {
    const accepted = decideIssue(context, issue);
    if (!accepted) continue;
    const list = byAccount.get(issue.author.id) ?? [];
    list.push(accepted);
    byAccount.set(issue.author.id, list);
  }
  const changes = new Map<string, string | null>();
  for (const [userId, entries] of byAccount) settleAccount(context, userId, entries, changes);
  context.actions.sort((a, b) => a.issue.number - b.issue.number);
  return { changes, actions: context.actions };
}

/**
 * The commit message: a summary line, then one line per issue, so the history reads as a ledger;
 * `otherChanges` describes files the run changes besides signatures (one line each).
 */
export function commitMessage(plan: Plan, otherChanges: readonly string[] = []): string {
  const count = (outcome: Outcome) => plan.actions.filter((action) => action.outcome === outcome).length;
  const parts: string[] = [];
  const add = (n: number, one: string, many: string) =>
    n > 0 && parts.push(`${n === 1 ? one : many.replace('N', String(n))}`);
  add(count('signed'), 'Add 1 signature', 'Add N signatures');
  add(count('updated'), 'update 1 signature', 'update N signatures');
  add(count('withdrawn'), 'withdraw 1 signature', 'withdraw N signatures');
  const summary = parts.join(', ').replace(/^./, (c) => c.toUpperCase()) || otherChanges[0] || 'Update signatures';
  const lines = plan.actions
    .filter((action) => action.outcome === 'signed' || action.outcome === 'updated' || action.outcome === 'withdrawn')
    .map((action) =>
      action.outcome === 'withdrawn'
        ? `#${action.issue.number} withdrawal by user ${action.issue.author.id}${action.redactIssue ? ` (signature from #${action.redactIssue})` : ''}`
        : `#${action.issue.number} ${action.outcome === 'updated' ? 'signature (updated)' : 'signature'} by user ${action.issue.author.id}`,
    );
  return `${summary}\n\n${[...lines, ...otherChanges].join('\n')}\n`;
}
