/**
 * What a run's plan is made of: the processor's labels, what it knows of an issue, the outcomes it
 * can decide, and the plan itself (one commit's file changes and an action per issue). Types and
 * constants only; `decide.ts` makes the plan and re-exports all of this.
 */
import type { FormField } from './issue-form.ts';
import type { Problem, Refusal } from './messages.ts';
import type { BlockedAccountEntry } from './moderation.ts';
import type { Settings } from './settings.ts';
import type { SignatureRecord } from './signature-file.ts';

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
