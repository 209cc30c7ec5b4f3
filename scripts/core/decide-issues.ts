/**
 * The decisions `decide()` dispatches to, one kind at a time: first each issue on its own (an
 * issue answered before and untouched, an account that may not sign, a signature, a withdrawal),
 * then each account whose issues were accepted (its latest issue signs or withdraws). Pure.
 */
import { parseIssueForm, type FormValues } from './issue-form.ts';
import type { Problem, Refusal } from './messages.ts';
import {
  GHOST_ACCOUNT,
  LABELS,
  OWN_LABELS,
  type BlockedAccount,
  type DecideInput,
  type IssueAction,
  type IssueKind,
  type IssueSnapshot,
  type LanguageForms,
} from './plan.ts';
import {
  parseSignatureFile,
  renderSignatureFile,
  signatureRelativePath,
  type SignatureRecord,
} from './signature-file.ts';
import { validateSignature, validateWithdrawal } from './validate-signature.ts';

/** What one run's decisions share: its input, the forms, and the actions decided so far. */
export interface DecideContext {
  input: DecideInput;
  /** Every language's forms, the default language first (never empty). */
  forms: readonly LanguageForms[];
  /** Whether the petition takes signatures now. */
  open: boolean;
  /** Repository path of an account's signature file. */
  pathOf: (userId: number) => string;
  /** The language each parsed issue was written in. */
  languageOf: Map<number, string>;
  actions: IssueAction[];
}

/** An issue the first pass accepted: a withdrawal, or a signature with its record. */
export interface Accepted {
  issue: IssueSnapshot;
  record?: SignatureRecord;
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

/** GitHub's created_at without milliseconds, the form signature files use. */
function toInstant(createdAt: string): string {
  return new Date(createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What every action on an issue starts from: the issue, its language, its author's file. */
function base(context: DecideContext, issue: IssueSnapshot) {
  return {
    issue,
    language: context.languageOf.get(issue.number) ?? context.forms[0]!.language,
    path: context.pathOf(issue.author.id),
    problems: [] as Problem[],
  };
}

const kindLabel = (issue: IssueSnapshot) => (issue.kind === 'signature' ? LABELS.signature : LABELS.withdrawal);

/** The author must fix something: the issue stays open, answered once until it changes. */
function reject(context: DecideContext, issue: IssueSnapshot, problems: Problem[]): undefined {
  const alreadySaid =
    issue.labels.includes(LABELS.rejected) && issue.comments > 0 && !context.input.recheck?.has(issue.number);
  context.actions.push({
    ...base(context, issue),
    outcome: alreadySaid ? 'still-rejected' : 'rejected',
    problems,
    labels: [kindLabel(issue), LABELS.rejected],
    close: false,
    stateReason: null,
    comment: !alreadySaid,
  });
  return undefined;
}

/** The issue may not sign whatever it says: closed as not planned, with the reason. */
function refuse(context: DecideContext, issue: IssueSnapshot, refusal: Refusal, laterIssue?: number): undefined {
  context.actions.push({
    ...base(context, issue),
    outcome: 'refused',
    refusal,
    supersededBy: laterIssue,
    labels: [kindLabel(issue), LABELS.rejected],
    close: true,
    stateReason: 'not_planned',
    comment: true,
  });
  return undefined;
}

/** The account's signature in the repository now, if it has a readable one. */
function existingRecord(input: DecideInput, userId: number): SignatureRecord | undefined {
  const text = input.existingFile(userId);
  if (text === undefined) return undefined;
  const parsed = parseSignatureFile(text, signatureRelativePath(userId));
  return parsed.ok ? parsed.record : undefined;
}

/** Whether the ledger says the processor answered this rejection and nothing changed since. */
function untouchedSinceAnswered(input: DecideInput, issue: IssueSnapshot): boolean {
  const answeredAt = input.answered?.get(issue.number);
  return (
    answeredAt !== undefined &&
    answeredAt === issue.updated_at &&
    issue.labels.includes(LABELS.rejected) &&
    !input.recheck?.has(issue.number)
  );
}

/**
 * The first pass over one issue, of either kind: what needs no reading, who may not sign, then
 * the form read in any language and handed to the decision for its kind. Returns the issue when it
 * is accepted (the second pass settles it with the account's other issues), or records its answer.
 */
export function decideIssue(context: DecideContext, issue: IssueSnapshot): Accepted | undefined {
  if (untouchedSinceAnswered(context.input, issue)) {
    // Answered and untouched since: not even parsed again.
    context.actions.push({
      ...base(context, issue),
      outcome: 'still-rejected',
      labels: issue.labels.filter((l) => OWN_LABELS.has(l)),
      close: false,
      stateReason: null,
      comment: false,
    });
    return undefined;
  }
  const refusal = accountRefusal(issue, context.input.blocked);
  if (refusal) return refuse(context, issue, refusal);
  const { language, parsed } = parseInAnyLanguage(issue.body, issue.kind, context.forms);
  context.languageOf.set(issue.number, language);
  if (!parsed.ok) return reject(context, issue, [parsed.problem]);
  return issue.kind === 'withdrawal'
    ? decideWithdrawalIssue(context, issue, parsed.values)
    : decideSignatureIssue(context, issue, language, parsed.values);
}

/** A withdrawal issue: accepted when its form is right; the second pass finds what it withdraws. */
function decideWithdrawalIssue(context: DecideContext, issue: IssueSnapshot, values: FormValues): Accepted | undefined {
  const problems = validateWithdrawal(values);
  return problems.length > 0 ? reject(context, issue, problems) : { issue };
}

/** A signature issue: valid, the petition open, not removed since, not older than the file. */
function decideSignatureIssue(
  context: DecideContext,
  issue: IssueSnapshot,
  language: string,
  values: FormValues,
): Accepted | undefined {
  const { input } = context;
  const validation = validateSignature(values);
  if (!validation.ok) return reject(context, issue, validation.problems);
  if (!context.open) {
    context.actions.push({
      ...base(context, issue),
      outcome: 'petition-closed',
      labels: [LABELS.signature, LABELS.rejected],
      close: true,
      stateReason: 'not_planned',
      comment: true,
    });
    return undefined;
  }
  // An issue accepted before whose signature is gone since (withdrawn, or removed by the
  // maintainers) does not sign again by being reopened: that needs fresh consent, a new issue.
  if (needsHistory(issue, input.existingFile(issue.author.id) !== undefined)) {
    const laterWithdrawal = input.history?.(issue.author.id)?.withdrawalIssue;
    if (acceptedBefore(issue) || (laterWithdrawal !== undefined && laterWithdrawal > issue.number))
      return refuse(context, issue, 'removed-since', laterWithdrawal);
  }
  // An older issue must not overwrite the signature a newer issue of the same account made.
  const current = existingRecord(input, issue.author.id);
  if (current && current.issue > issue.number) {
    context.actions.push({
      ...base(context, issue),
      outcome: 'superseded',
      supersededBy: current.issue,
      supersededByKind: 'signature',
      labels: [LABELS.signature],
      close: true,
      stateReason: 'completed',
      comment: true,
    });
    return undefined;
  }
  const record: SignatureRecord = {
    ...validation.signature,
    login: issue.author.login,
    user_id: issue.author.id,
    issue: issue.number,
    signed_at: toInstant(issue.created_at),
    letter_sha256: input.letterSha256ByLanguage?.get(language) ?? input.letterSha256,
  };
  return { issue, record };
}

/**
 * The second pass, for one account: its latest accepted issue in this run decides (by creation
 * time, then number); its earlier ones are superseded. Adds the file change to `changes`.
 */
export function settleAccount(
  context: DecideContext,
  userId: number,
  entries: Accepted[],
  changes: Map<string, string | null>,
): void {
  entries.sort((a, b) =>
    a.issue.created_at < b.issue.created_at
      ? -1
      : a.issue.created_at > b.issue.created_at
        ? 1
        : a.issue.number - b.issue.number,
  );
  const latest = entries.at(-1)!;
  for (const earlier of entries.slice(0, -1)) {
    context.actions.push({
      ...base(context, earlier.issue),
      outcome: 'superseded',
      supersededBy: latest.issue.number,
      supersededByKind: latest.issue.kind,
      labels: [kindLabel(earlier.issue)],
      close: true,
      stateReason: 'completed',
      comment: true,
    });
  }
  if (latest.record) settleSignature(context, userId, latest.issue, latest.record, changes);
  else settleWithdrawal(context, userId, entries, latest.issue, changes);
}

/** The account signs: a new file, a replaced one, or the file already exactly so. */
function settleSignature(
  context: DecideContext,
  userId: number,
  issue: IssueSnapshot,
  record: SignatureRecord,
  changes: Map<string, string | null>,
): void {
  const existing = context.input.existingFile(userId);
  const content = renderSignatureFile(record);
  const outcome = existing === content ? 'recorded' : existing === undefined ? 'signed' : 'updated';
  if (outcome !== 'recorded') changes.set(context.pathOf(userId), content);
  context.actions.push({
    ...base(context, issue),
    outcome,
    record,
    labels: [LABELS.signature, LABELS.signed],
    close: true,
    stateReason: 'completed',
    // A receipt thanks the signer; a petition may turn receipts off.
    comment: context.input.settings.thank_you_comments,
  });
}

/**
 * The account withdraws: its file goes; or an earlier run already committed this withdrawal and
 * stopped before answering; or there is nothing to withdraw.
 */
function settleWithdrawal(
  context: DecideContext,
  userId: number,
  entries: Accepted[],
  issue: IssueSnapshot,
  changes: Map<string, string | null>,
): void {
  const { input } = context;
  const existing = input.existingFile(userId);
  const history = existing === undefined ? input.history?.(userId) : undefined;
  const signedThisRun = entries.some((entry) => entry.record);
  if (existing !== undefined || signedThisRun) {
    // Signed earlier (or earlier in this very run, so there is no file to delete yet).
    if (existing !== undefined) changes.set(context.pathOf(userId), null);
    context.actions.push({
      ...base(context, issue),
      outcome: 'withdrawn',
      redactIssue: existingRecord(input, userId)?.issue,
      labels: [LABELS.withdrawal, LABELS.withdrawn],
      close: true,
      stateReason: 'completed',
      comment: true,
    });
  } else if (history?.withdrawalIssue === issue.number) {
    // An earlier run committed this very withdrawal and stopped before answering.
    context.actions.push({
      ...base(context, issue),
      outcome: 'withdrawn',
      earlierCommit: history.sha,
      redactIssue: history.signatureIssue,
      labels: [LABELS.withdrawal, LABELS.withdrawn],
      close: true,
      stateReason: 'completed',
      comment: true,
    });
  } else {
    context.actions.push({
      ...base(context, issue),
      outcome: 'not-signed',
      labels: [LABELS.withdrawal],
      close: true,
      stateReason: 'not_planned',
      comment: true,
    });
  }
}
