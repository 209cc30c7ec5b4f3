/**
 * The signature processor's sweep (scripts/commands/process-signatures.ts runs it; the Action
 * .github/workflows/signatures.yml runs the command). One sweep of every open signature and
 * withdrawal issue, in five stages:
 *
 *   list (GitHub) → read (checkout, a few histories: processor-checkout.ts) → decide (pure,
 *   scripts/core/decide.ts) → commit (ONE commit for every file change) → answer (comments,
 *   labels, closing: processor-answer.ts)
 *
 * Crash safety: nothing is closed before its signature is committed; a re-run re-derives the same
 * files (an unchanged tree makes no commit), finds the earlier commit and finishes answering, and
 * tells the workflow to publish it. Rejected issues stay open, labelled "rejected"; the ledger of
 * answered issues (ledger.ts: updated_at when last answered) lets later sweeps skip them until
 * they change.
 *
 * Nothing a signer wrote is logged: logs name issues by number and problems by code.
 */
import {
  commitMessage,
  decide,
  needsHistory,
  type FileHistory,
  type IssueSnapshot,
  type Plan,
} from '../core/decide.ts';
import { ISSUE_CHOOSER_CONFIG_PATH, issueChooserConfigFor } from '../core/issue-chooser.ts';
import { BLOCKED_ACCOUNTS_PATH, parseBlockedAccounts } from '../core/moderation.ts';
import { siteBaseUrl } from '../core/settings.ts';
import { signatureRelativePath, userIdFromRelativePath } from '../core/signature-file.ts';
import { folderStore, type SignatureStore } from '../store/signature-store.ts';
import { ensureLabels } from './answer.ts';
import type { ProcessorOctokit } from './client.ts';
import { commitChanges, RefUpdateRefusedError, type CommitRequest } from './commit.ts';
import { fileHistory, listSweep, type RepositoryRef } from './issues.ts';
import { answerStage, RECORDING_OUTCOMES } from './processor-answer.ts';
import { readCheckout, readSigners, type CheckoutState } from './processor-checkout.ts';
import { runSummary, type RunSummary } from './summary.ts';

export type { RunSummary } from './summary.ts';

/** How to run one sweep: the client, where, and the hooks the command and the tests pass. */
export interface ProcessOptions {
  octokit: ProcessorOctokit;
  /** "owner/name". */
  repository: string;
  branch: string;
  /** The repository's working tree (the Action's checkout): settings, templates, letter, signatures. */
  checkoutDir: string;
  now?: () => Date;
  log?: (message: string) => void;
  /** The triggering webhook event, if any (GITHUB_EVENT_PATH). */
  event?: { action?: string; issue?: { number?: number } };
  /** The ledger a previous run left: issue number → updated_at when it was last answered. */
  answered?: ReadonlyMap<number, string>;
  /** Called as soon as the commit is on the branch, before any answer (so a crash still publishes). */
  onCommitted?: (sha: string) => void | Promise<void>;
  /** Where existing signatures are read (default: the checkout's signatures/ folder). */
  signatures?: SignatureStore;
  /**
   * The commit the checkout (and the signature store) shows: when the branch head is another by
   * the time of the commit, the plan is decided again against the head (see commitChanges' replan).
   */
  baseCommit?: string;
  /** For tests: wait between commit retries. */
  sleep?: (ms: number) => Promise<void>;
}

function repositoryRef(repository: string): RepositoryRef {
  const [owner, repo, extra] = repository.split('/');
  if (!owner || !repo || extra !== undefined)
    throw new Error(`GITHUB_REPOSITORY must be "owner/name", not "${repository}".`);
  return { owner, repo };
}

/** Commit stage: one commit, or the reason GitHub refused it for good. */
async function commitStage(
  options: ProcessOptions,
  repository: RepositoryRef,
  plan: Plan,
  message: string,
  log: (message: string) => void,
  replan: NonNullable<CommitRequest['replan']>,
): Promise<{ sha?: string; refusal?: string }> {
  if (plan.changes.size === 0) return {};
  const { octokit } = options;
  try {
    const result = await commitChanges(octokit, {
      ...repository,
      branch: options.branch,
      changes: plan.changes,
      message,
      log,
      sleep: options.sleep,
      base: options.baseCommit,
      replan,
      pathExists: async (filePath, ref) => {
        try {
          await octokit.rest.repos.getContent({ ...repository, path: filePath, ref });
          return true;
        } catch (error) {
          if ((error as { status?: number }).status === 404) return false;
          throw error;
        }
      },
    });
    log(
      result.sha ? `Committed the change(s) as ${result.sha}.` : 'The branch already had these changes; no new commit.',
    );
    if (result.sha) await options.onCommitted?.(result.sha);
    return { sha: result.sha };
  } catch (error) {
    if (error instanceof RefUpdateRefusedError) {
      log(error.message);
      return { refusal: error.message };
    }
    throw error;
  }
}

/** A file's text at `ref` through the API, or undefined when it does not exist there. */
async function readAt(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  filePath: string,
  ref: string,
): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repository, path: filePath, ref });
    if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string')
      throw new Error(`${filePath} at ${ref} is not a file`);
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** What a sweep decides from: the issues, the checkout, and what the branch moving can change. */
interface SweepState {
  issues: readonly IssueSnapshot[];
  checkout: CheckoutState;
  files: Map<number, string | undefined>;
  histories: Map<number, FileHistory | undefined>;
}

/**
 * The branch moved since the plan was made (a maintainer pushed a removal or a block during the
 * run): what the plan depends on that a push can change is read again at the new head — the files
 * of every signer it records or deletes, and the blocked accounts — so that the plan decided again
 * never undoes that push. One request per such signer, and only when the branch moved.
 */
async function rereadAtHead(
  options: ProcessOptions,
  repository: RepositoryRef,
  state: SweepState,
  plan: Plan,
  head: string,
): Promise<void> {
  const { octokit } = options;
  const ids = new Set<number>();
  for (const action of plan.actions) if (RECORDING_OUTCOMES.has(action.outcome)) ids.add(action.issue.author.id);
  for (const file of plan.changes.keys()) {
    const id = file.startsWith('signatures/') ? userIdFromRelativePath(file.slice('signatures/'.length)) : undefined;
    if (id !== undefined) ids.add(id);
  }
  for (const id of ids)
    state.files.set(id, await readAt(octokit, repository, `signatures/${signatureRelativePath(id)}`, head));
  const blockedText = await readAt(octokit, repository, BLOCKED_ACCOUNTS_PATH, head);
  state.checkout.blocked = blockedText ? parseBlockedAccounts(blockedText) : new Map();
  for (const issue of state.issues) {
    const id = issue.author.id;
    if (ids.has(id) && needsHistory(issue, state.files.get(id) !== undefined))
      state.histories.set(
        id,
        await fileHistory(octokit, repository, options.branch, `signatures/${signatureRelativePath(id)}`, id),
      );
  }
}

/**
 * How the sweep decides, as often as it must: the plan from what `state` holds at the moment of
 * the call (the pure core's decide), and the commit message for a plan.
 */
function planner(options: ProcessOptions, state: SweepState) {
  const { checkout } = state;
  const { settings } = checkout;
  const now = options.now ?? (() => new Date());
  const recheck = new Set<number>();
  if ((options.event?.action === 'edited' || options.event?.action === 'reopened') && options.event.issue?.number)
    recheck.add(options.event.issue.number);
  // A fork's first run points the issue chooser's link at its own site (see issue-chooser.ts).
  const chooserUpdate = checkout.chooserText
    ? issueChooserConfigFor(checkout.chooserText, siteBaseUrl(settings))
    : undefined;
  const decideNow = (): Plan => {
    const decided = decide({
      issues: state.issues,
      forms: checkout.forms,
      existingFile: (userId) => state.files.get(userId),
      history: (userId) => state.histories.get(userId),
      blocked: checkout.blocked,
      answered: options.answered,
      settings,
      now: now(),
      letterSha256: checkout.letterSha256,
      letterSha256ByLanguage: checkout.letterSha256ByLanguage,
      recheck,
    });
    if (chooserUpdate) decided.changes.set(ISSUE_CHOOSER_CONFIG_PATH, chooserUpdate);
    return decided;
  };
  const messageOf = (decided: Plan) =>
    commitMessage(decided, chooserUpdate ? [`Point the issue chooser's link at ${siteBaseUrl(settings)}`] : []);
  return { decideNow, messageOf };
}

/** Runs one sweep. `requestCount` reads the client's request counter (see createClient's onRequest). */
export async function processSignatures(
  options: ProcessOptions,
  requestCount: () => number = () => 0,
): Promise<RunSummary> {
  const log = options.log ?? console.log;
  const repository = repositoryRef(options.repository);
  const { octokit } = options;

  const checkout = await readCheckout(options.checkoutDir);
  const { settings } = checkout;
  await ensureLabels(octokit, repository, log);

  const issues = await listSweep(octokit, repository);
  const store = options.signatures ?? folderStore(checkout.signaturesDir);
  const { files, histories } = await readSigners(octokit, repository, options.branch, store, issues);
  const state: SweepState = { issues, checkout, files, histories };
  const { decideNow, messageOf } = planner(options, state);
  let plan = decideNow();
  if (settings.repository !== options.repository)
    log(
      `Warning: content/settings.json names the repository "${settings.repository}", but this runs in "${options.repository}". Receipts and the sign form link to the settings' repository and site; edit "repository", "site_url" and "path_prefix" there.`,
    );

  const replan = async (_decidedAt: string, head: string) => {
    await rereadAtHead(options, repository, state, plan, head);
    plan = decideNow();
    return { changes: plan.changes, message: messageOf(plan) };
  };
  const commit = await commitStage(options, repository, plan, messageOf(plan), log, replan);
  const target = { octokit, repositoryName: options.repository, repository, branch: options.branch, log };
  const answers = await answerStage(target, plan, checkout, commit);
  // The job summary is for maintainers: in the petition's own language.
  return runSummary(plan, commit, answers, checkout.catalogs.get(settings.language)!, requestCount());
}
