/**
 * Deciding what a run does: from the open signature and withdrawal issues and what is already
 * in the repository, the file changes for ONE commit and what to tell each issue. Pure.
 */
import { formFieldsFromTemplate, parseIssueForm, type FormField } from './issue-form.ts';
import type { Problem, Refusal } from './messages.ts';
import type { BlockedAccountEntry } from './moderation.ts';
import { isPetitionOpen, type Settings } from './settings.ts';
import {
  parseSignatureFile,
  renderSignatureFile,
  signatureRelativePath,
  type SignatureRecord,
} from './signature-file.ts';
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

/** The labels the processor owns: it adds and removes these and never touches any other. */
export const OWN_LABELS: ReadonlySet<string> = new Set(Object.values(LABELS));

/** Every deleted account's issues and comments are attributed to this one account. */
export const GHOST_ACCOUNT = { login: 'ghost', id: 10137 } as const;

export type IssueKind = 'signature' | 'withdrawal';

/** What the processor knows of an issue, from the issue listing. */
export interface IssueSnapshot {
  number: number;
  kind: IssueKind;
  body: string;
  labels: string[];
  /** `type` is GitHub's account type: "User" for people, "Bot" for bots and apps. */
  author: { login: string; id: number; type?: string };
  created_at: string;
  /** When anything last changed on the issue (body, labels, comments): the ledger compares it. */
  updated_at?: string;
  /** Number of comments on the issue: 0 means no bot comment to look for. */
  comments: number;
  /** GitHub's state_reason: "reopened" once someone reopened the issue. */
  state_reason?: string | null;
}

/** The latest commit that touched an account's signature file (see the processor's read stage). */
export interface FileHistory {
  sha: string;
  /** The withdrawal issue, when that commit was the processor's withdrawal of this account. */
  withdrawalIssue?: number;
  /** The signature issue the withdrawn file came from, as the withdrawal commit names it. */
  signatureIssue?: number;
}

/** An account maintainers blocked from signing (see moderation.ts). */
export type BlockedAccount = BlockedAccountEntry;

export type Outcome =
  | 'signed' // a new signature file
  | 'updated' // the account's file replaced
  | 'recorded' // the file is already exactly so (a run that crashed after committing)
  | 'superseded' // a newer issue of the same account in this run wins
  | 'withdrawn' // the account's file deleted
  | 'not-signed' // withdrawal from an account with no signature
  | 'rejected' // the author must fix something; the issue stays open
  | 'still-rejected' // unchanged since we said so: nothing to do, no requests
  | 'refused' // an account that may not sign (a bot, a deleted or blocked account, a removed signature's issue)
  | 'petition-closed'; // signature after closing

/** Every outcome, in the order run summaries list them. */
export const OUTCOMES: readonly Outcome[] = [
  'signed',
  'updated',
  'recorded',
  'superseded',
  'withdrawn',
  'not-signed',
  'rejected',
  'still-rejected',
  'refused',
  'petition-closed',
];

export interface IssueAction {
  issue: IssueSnapshot;
  /** The language of the form that made the issue: the answer is written in it. */
  language: string;
  outcome: Outcome;
  /** Repository path of the signer's file. */
  path: string;
  record?: SignatureRecord;
  problems: Problem[];
  refusal?: Refusal;
  supersededBy?: number;
  supersededByKind?: IssueKind;
  /** A commit an earlier run made for this issue, when this run finishes its answer. */
  earlierCommit?: string;
  /** The signature issue whose receipt a withdrawal redacts (it named the signer, country, reason). */
  redactIssue?: number;
  /** The processor's own labels the issue should carry afterwards (see {@link OWN_LABELS}). */
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

/** One language's pair of forms (its labels differ; its field ids are the same). */
export interface LanguageForms {
  language: string;
  sign: readonly FormField[];
  withdraw: readonly FormField[];
}

export interface DecideInput {
  issues: readonly IssueSnapshot[];
  /** The default language's forms (used when `forms` is not given). */
  signFields?: readonly FormField[];
  withdrawFields?: readonly FormField[];
  /** Every language's forms, the default language first. */
  forms?: readonly LanguageForms[];
  /** The signer's current file content in the repository, if any. */
  existingFile: (userId: number) => string | undefined;
  settings: Settings;
  now: Date;
  /** SHA-256 of the default language's letter. */
  letterSha256: string;
  /** SHA-256 of each translation of the letter, by language: what a signer of that form saw. */
  letterSha256ByLanguage?: ReadonlyMap<string, string>;
  /** Issues whose author just edited or reopened them: answer again even if still rejected. */
  recheck?: ReadonlySet<number>;
  /**
   * The ledger: issue → its updated_at when the processor last answered it and left it open.
   * An issue still at that instant has not been touched since and is not even parsed again.
   */
  answered?: ReadonlyMap<number, string>;
  /** The latest commit on an account's file, where the read stage looked it up. */
  history?: (userId: number) => FileHistory | undefined;
  /** Accounts maintainers blocked, by user id. */
  blocked?: ReadonlyMap<number, BlockedAccount>;
  /** The folder of signature files inside the repository. */
  signaturesFolder?: string;
}

/**
 * Whether the read stage should look up the history of an issue's author's file: a withdrawal
 * with nothing to withdraw (did an earlier run withdraw it and die before answering?) and an
 * issue accepted before whose file is gone (removed since: it may not sign again). Costs one
 * request each, and neither happens to a new signer.
 */
export function needsHistory(issue: IssueSnapshot, hasFile: boolean): boolean {
  if (hasFile) return false;
  if (issue.kind === 'withdrawal') return true;
  return acceptedBefore(issue) || issue.state_reason === 'reopened';
}

/** Whether the processor accepted this issue's signature in an earlier run. */
function acceptedBefore(issue: IssueSnapshot): boolean {
  return issue.labels.includes(LABELS.signed) || issue.labels.includes(LABELS.withdrawn);
}

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

/**
 * Reads a body against every language's form, strictly by its labels. The language whose form
 * reads it wins; when none does, the problem is reported in the language whose first heading
 * the body carries (the form the signer started from), or else the default language.
 */
export function parseInAnyLanguage(
  body: string,
  kind: IssueKind,
  forms: readonly LanguageForms[],
): { language: string; parsed: ReturnType<typeof parseIssueForm> } {
  const fieldsOf = (entry: LanguageForms) => (kind === 'signature' ? entry.sign : entry.withdraw);
  let started: { language: string; parsed: ReturnType<typeof parseIssueForm> } | undefined;
  for (const entry of forms) {
    const parsed = parseIssueForm(body, fieldsOf(entry));
    if (parsed.ok) return { language: entry.language, parsed };
    if (parsed.problem.code === 'structure.tooLong') return { language: forms[0]!.language, parsed };
    const first = fieldsOf(entry)[0];
    if (!started && first && body.includes(`### ${first.label}`)) started = { language: entry.language, parsed };
  }
  return started ?? { language: forms[0]!.language, parsed: parseIssueForm(body, fieldsOf(forms[0]!)) };
}

/** Why this account may not sign at all, whatever its issue says. */
function accountRefusal(issue: IssueSnapshot, blocked?: ReadonlyMap<number, BlockedAccount>): Refusal | undefined {
  if (issue.author.id === GHOST_ACCOUNT.id || issue.author.login === GHOST_ACCOUNT.login) return 'deleted-account';
  if (issue.author.type !== undefined && issue.author.type !== 'User') return 'not-a-person';
  if (issue.kind === 'signature' && blocked?.has(issue.author.id)) return 'blocked-account';
  return undefined;
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
  const forms: readonly LanguageForms[] = input.forms ?? [
    { language: input.settings.language, sign: input.signFields ?? [], withdraw: input.withdrawFields ?? [] },
  ];
  if (forms.length === 0) throw new Error('decide() needs the forms of at least one language.');
  const languageOf = new Map<number, string>();

  const base = (issue: IssueSnapshot) => ({
    issue,
    language: languageOf.get(issue.number) ?? forms[0]!.language,
    path: pathOf(issue.author.id),
    problems: [] as Problem[],
  });
  const kindLabel = (issue: IssueSnapshot) => (issue.kind === 'signature' ? LABELS.signature : LABELS.withdrawal);
  const reject = (issue: IssueSnapshot, problems: Problem[]) => {
    const alreadySaid =
      issue.labels.includes(LABELS.rejected) && issue.comments > 0 && !input.recheck?.has(issue.number);
    actions.push({
      ...base(issue),
      outcome: alreadySaid ? 'still-rejected' : 'rejected',
      problems,
      labels: [kindLabel(issue), LABELS.rejected],
      close: false,
      stateReason: null,
      comment: !alreadySaid,
    });
  };
  const refuse = (issue: IssueSnapshot, refusal: Refusal, laterIssue?: number) =>
    actions.push({
      ...base(issue),
      outcome: 'refused',
      refusal,
      supersededBy: laterIssue,
      labels: [kindLabel(issue), LABELS.rejected],
      close: true,
      stateReason: 'not_planned',
      comment: true,
    });
  const existingRecord = (userId: number) => {
    const text = input.existingFile(userId);
    if (text === undefined) return undefined;
    const parsed = parseSignatureFile(text, signatureRelativePath(userId));
    return parsed.ok ? parsed.record : undefined;
  };

  for (const issue of [...input.issues].sort((a, b) => a.number - b.number)) {
    const answeredAt = input.answered?.get(issue.number);
    if (
      answeredAt !== undefined &&
      answeredAt === issue.updated_at &&
      issue.labels.includes(LABELS.rejected) &&
      !input.recheck?.has(issue.number)
    ) {
      // Answered and untouched since: not even parsed again.
      actions.push({
        ...base(issue),
        outcome: 'still-rejected',
        labels: issue.labels.filter((l) => OWN_LABELS.has(l)),
        close: false,
        stateReason: null,
        comment: false,
      });
      continue;
    }
    const refusal = accountRefusal(issue, input.blocked);
    if (refusal) {
      refuse(issue, refusal);
      continue;
    }
    const { language, parsed } = parseInAnyLanguage(issue.body, issue.kind, forms);
    languageOf.set(issue.number, language);
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
    // An issue accepted before whose signature is gone since (withdrawn, or removed by the
    // maintainers) does not sign again by being reopened: that needs fresh consent, a new issue.
    if (needsHistory(issue, input.existingFile(issue.author.id) !== undefined)) {
      const laterWithdrawal = input.history?.(issue.author.id)?.withdrawalIssue;
      if (acceptedBefore(issue) || (laterWithdrawal !== undefined && laterWithdrawal > issue.number)) {
        refuse(issue, 'removed-since', laterWithdrawal);
        continue;
      }
    }
    // An older issue must not overwrite the signature a newer issue of the same account made.
    const current = existingRecord(issue.author.id);
    if (current && current.issue > issue.number) {
      actions.push({
        ...base(issue),
        outcome: 'superseded',
        supersededBy: current.issue,
        supersededByKind: 'signature',
        labels: [LABELS.signature],
        close: true,
        stateReason: 'completed',
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
      letter_sha256: input.letterSha256ByLanguage?.get(language) ?? input.letterSha256,
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
      actions.push({
        ...base(earlier.issue),
        outcome: 'superseded',
        supersededBy: latest.issue.number,
        supersededByKind: latest.issue.kind,
        labels: [kindLabel(earlier.issue)],
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
      continue;
    }
    const history = existing === undefined ? input.history?.(userId) : undefined;
    const signedThisRun = entries.some((entry) => entry.record);
    if (existing !== undefined || signedThisRun) {
      // Signed earlier (or earlier in this very run, so there is no file to delete yet).
      if (existing !== undefined) changes.set(path, null);
      actions.push({
        ...base(latest.issue),
        outcome: 'withdrawn',
        redactIssue: existingRecord(userId)?.issue,
        labels: [LABELS.withdrawal, LABELS.withdrawn],
        close: true,
        stateReason: 'completed',
        comment: true,
      });
    } else if (history?.withdrawalIssue === latest.issue.number) {
      // An earlier run committed this very withdrawal and stopped before answering.
      actions.push({
        ...base(latest.issue),
        outcome: 'withdrawn',
        earlierCommit: history.sha,
        redactIssue: history.signatureIssue,
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
    .map((action) =>
      action.outcome === 'withdrawn'
        ? `#${action.issue.number} withdrawal by user ${action.issue.author.id}${action.redactIssue ? ` (signature from #${action.redactIssue})` : ''}`
        : `#${action.issue.number} ${action.outcome === 'updated' ? 'signature (updated)' : 'signature'} by user ${action.issue.author.id}`,
    );
  return `${summary}\n\n${[...lines, ...otherChanges].join('\n')}\n`;
}
