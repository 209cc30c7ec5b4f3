/**
 * Deciding what a run does: from the open signature and withdrawal issues and what is already
 * in the repository, the file changes for ONE commit and what to tell each issue. Pure.
 */
import { formFieldsFromTemplate, parseIssueForm, type FormField } from './issue-form.ts';
import { isPetitionOpen, type Settings } from './settings.ts';
import { renderSignatureFile, signatureRelativePath, type SignatureRecord } from './signature-file.ts';
import { validateSignature, validateWithdrawal } from './validate-signature.ts';

export const LABELS = {
  signature: 'signature',
  withdrawal: 'withdrawal',
  signed: 'signed',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
} as const;

/** Label colours and descriptions, for creating missing labels on a fork's first run. */
export const LABEL_DEFINITIONS: Record<string, { color: string; description: string }> = {
  [LABELS.signature]: { color: '0e8a16', description: 'A signature, opened through the signing form' },
  [LABELS.withdrawal]: { color: 'fbca04', description: 'A request to withdraw a signature' },
  [LABELS.signed]: { color: '1d76db', description: 'Signature recorded' },
  [LABELS.rejected]: { color: 'b60205', description: 'Needs a fix by its author (see the bot comment)' },
  [LABELS.withdrawn]: { color: 'c5def5', description: 'Signature withdrawn' },
};

export type IssueKind = 'signature' | 'withdrawal';

/** What the processor knows of an issue, from the issue listing. */
export interface IssueSnapshot {
  number: number;
  kind: IssueKind;
  body: string;
  labels: string[];
  author: { login: string; id: number };
  created_at: string;
  /** Number of comments on the issue: 0 means no bot comment to look for. */
  comments: number;
}

export type Outcome =
  | 'signed' // a new signature file
  | 'updated' // the account's file replaced
  | 'recorded' // the file is already exactly so (a run that crashed after committing)
  | 'superseded' // a newer issue of the same account in this run wins
  | 'withdrawn' // the account's file deleted
  | 'not-signed' // withdrawal from an account with no signature
  | 'rejected' // the author must fix something; the issue stays open
  | 'still-rejected' // unchanged since we said so: nothing to do, no requests
  | 'petition-closed'; // signature after closing

export interface IssueAction {
  issue: IssueSnapshot;
  outcome: Outcome;
  /** Repository path of the signer's file. */
  path: string;
  record?: SignatureRecord;
  problems: string[];
  supersededBy?: number;
  supersededByKind?: IssueKind;
  /** Labels the issue should carry afterwards. */
  labels: string[];
  close: boolean;
  stateReason: 'completed' | 'not_planned' | null;
  /** Whether the signer is thanked/answered in a comment (receipts can be turned off). */
  comment: boolean;
}

export interface Plan {
  /** Repository path → new content, or null to delete. */
  changes: Map<string, string | null>;
  actions: IssueAction[];
}

export interface DecideInput {
  issues: readonly IssueSnapshot[];
  signFields: readonly FormField[];
  withdrawFields: readonly FormField[];
  /** The signer's current file content in the repository, if any. */
  existingFile: (userId: number) => string | undefined;
  settings: Settings;
  now: Date;
  letterSha256: string;
  /** Issues whose author just edited or reopened them: answer again even if still rejected. */
  recheck?: ReadonlySet<number>;
  /** The folder of signature files inside the repository. */
  signaturesFolder?: string;
}

export { formFieldsFromTemplate };

/** GitHub's created_at without milliseconds, the form signature files use. */
function toInstant(createdAt: string): string {
  return new Date(createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Decides every issue's outcome and the one commit's file changes. */
export function decide(input: DecideInput): Plan {
  const folder = input.signaturesFolder ?? 'signatures';
  const pathOf = (userId: number) => `${folder}/${signatureRelativePath(userId)}`;
  const open = isPetitionOpen(input.settings, input.now);
  const actions: IssueAction[] = [];
  const accepted: Array<{ issue: IssueSnapshot; record?: SignatureRecord }> = [];

  const base = (issue: IssueSnapshot) => ({ issue, path: pathOf(issue.author.id), problems: [] as string[] });
  const reject = (issue: IssueSnapshot, problems: string[]) => {
    const alreadySaid =
      issue.labels.includes(LABELS.rejected) && issue.comments > 0 && !input.recheck?.has(issue.number);
    actions.push({
      ...base(issue),
      outcome: alreadySaid ? 'still-rejected' : 'rejected',
      problems,
      labels: [issue.kind === 'signature' ? LABELS.signature : LABELS.withdrawal, LABELS.rejected],
      close: false,
      stateReason: null,
      comment: !alreadySaid,
    });
  };

  for (const issue of [...input.issues].sort((a, b) => a.number - b.number)) {
    const fields = issue.kind === 'signature' ? input.signFields : input.withdrawFields;
    const parsed = parseIssueForm(issue.body, fields);
    if (!parsed.ok) {
      reject(issue, [parsed.problem]);
      continue;
    }
    if (issue.kind === 'withdrawal') {
      const problems = validateWithdrawal(parsed.values);
      if (problems.length > 0) reject(issue, problems);
      else accepted.push({ issue });
      continue;
    }
    const validation = validateSignature(parsed.values);
    if (!validation.ok) {
      reject(issue, validation.problems);
      continue;
    }
    if (!open) {
      actions.push({
        ...base(issue),
        outcome: 'petition-closed',
        labels: [LABELS.signature, LABELS.rejected],
        close: true,
        stateReason: 'not_planned',
        comment: true,
      });
      continue;
    }
    const record: SignatureRecord = {
      ...validation.signature,
      login: issue.author.login,
      user_id: issue.author.id,
      issue: issue.number,
      signed_at: toInstant(issue.created_at),
      letter_sha256: input.letterSha256,
    };
    accepted.push({ issue, record });
  }

  // One signature per account: the account's latest issue in this run decides.
  const byAccount = new Map<number, Array<{ issue: IssueSnapshot; record?: SignatureRecord }>>();
  for (const entry of accepted) {
    const list = byAccount.get(entry.issue.author.id) ?? [];
    list.push(entry);
    byAccount.set(entry.issue.author.id, list);
  }
  const changes = new Map<string, string | null>();
  const comment = (outcome: Outcome) =>
    outcome !== 'signed' && outcome !== 'updated' && outcome !== 'recorded' ? true : input.settings.thank_you_comments;

  for (const [userId, entries] of byAccount) {
    entries.sort((a, b) =>
      a.issue.created_at < b.issue.created_at
        ? -1
        : a.issue.created_at > b.issue.created_at
          ? 1
          : a.issue.number - b.issue.number,
    );
    const latest = entries.at(-1)!;
    for (const earlier of entries.slice(0, -1)) {
      const kindLabel = earlier.issue.kind === 'signature' ? LABELS.signature : LABELS.withdrawal;
      actions.push({
        ...base(earlier.issue),
        outcome: 'superseded',
        supersededBy: latest.issue.number,
        supersededByKind: latest.issue.kind,
        labels: [kindLabel],
        close: true,
        stateReason: 'completed',
        comment: true,
      });
    }
    const existing = input.existingFile(userId);
    const path = pathOf(userId);
    if (latest.record) {
      const content = renderSignatureFile(latest.record);
      const outcome: Outcome = existing === content ? 'recorded' : existing === undefined ? 'signed' : 'updated';
      if (outcome !== 'recorded') changes.set(path, content);
      actions.push({
        ...base(latest.issue),
        outcome,
        record: latest.record,
        labels: [LABELS.signature, LABELS.signed],
        close: true,
        stateReason: 'completed',
        comment: comment(outcome),
      });
    } else if (existing !== undefined || entries.some((entry) => entry.record)) {
      // Signed earlier (or earlier in this very run, so there is no file to delete yet).
      if (existing !== undefined) changes.set(path, null);
      actions.push({
        ...base(latest.issue),
        outcome: 'withdrawn',
        labels: [LABELS.withdrawal, LABELS.withdrawn],
        close: true,
        stateReason: 'completed',
        comment: true,
      });
    } else {
      actions.push({
        ...base(latest.issue),
        outcome: 'not-signed',
        labels: [LABELS.withdrawal],
        close: true,
        stateReason: 'not_planned',
        comment: true,
      });
    }
  }
  actions.sort((a, b) => a.issue.number - b.issue.number);
  return { changes, actions };
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
    .map(
      (action) =>
        `#${action.issue.number} ${action.outcome === 'withdrawn' ? 'withdrawal' : action.outcome === 'updated' ? 'signature (updated)' : 'signature'} by user ${action.issue.author.id}`,
    );
  return `${summary}\n\n${[...lines, ...otherChanges].join('\n')}\n`;
}
