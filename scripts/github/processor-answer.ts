/**
 * The processor's answer stage: one comment, the labels and the state of each issue, after the
 * commit. Nothing is closed before its signature is committed; an issue that fails is left for
 * the next run. Nothing a signer wrote is logged: issues by number, failures by status or name.
 */
import { renderBotComment, type CommentContext } from '../core/bot-comment.ts';
import { LABELS, type IssueAction, type Plan } from '../core/decide.ts';
import { templateFileName } from '../core/issue-templates.ts';
import { siteBaseUrl } from '../core/settings.ts';
import { signatureReceiptPath } from '../core/signature-list.ts';
import { redactReceipt, updateIssue, upsertBotComment } from './answer.ts';
import type { ProcessorOctokit } from './client.ts';
import type { RepositoryRef } from './issues.ts';
import type { CheckoutState } from './processor-checkout.ts';
import type { RunSummary } from './summary.ts';

/** The outcomes that record a change in signatures/, and so need the commit before the answer. */
export const RECORDING_OUTCOMES = new Set<IssueAction['outcome']>(['signed', 'updated', 'recorded', 'withdrawn']);

/** Where the answers go: the client, the repository (as "owner/name" and as a ref) and the branch. */
export interface AnswerTarget {
  octokit: ProcessorOctokit;
  /** "owner/name", as the comments' links name it. */
  repositoryName: string;
  repository: RepositoryRef;
  branch: string;
  log: (message: string) => void;
}

/**
 * Answer stage: one comment, labels and state per issue. Issues whose change is not committed
 * (GitHub refused the commit) are left open for the next run. Returns the ledger entries and
 * whether an earlier run's commit was finished here.
 */
export async function answerStage(
  target: AnswerTarget,
  plan: Plan,
  checkout: CheckoutState,
  commit: { sha?: string; refusal?: string },
): Promise<{ failures: RunSummary['failures']; answered: Record<string, string>; finishedEarlier: boolean }> {
  const { octokit, repository, log } = target;
  const { settings } = checkout;
  const failures: RunSummary['failures'] = [];
  const answered: Record<string, string> = {};
  let finishedEarlier = false;

  for (const action of plan.actions) {
    const number = action.issue.number;
    if (action.outcome === 'still-rejected') {
      if (action.issue.updated_at) answered[number] = action.issue.updated_at;
      continue;
    }
    const needsCommit = plan.changes.has(action.path) && RECORDING_OUTCOMES.has(action.outcome);
    if (needsCommit && commit.refusal) {
      failures.push({ issue: number, error: 'not committed: GitHub refused the commit (see the log)' });
      continue;
    }
    try {
      let sha = needsCommit ? commit.sha : action.earlierCommit;
      if (!sha && RECORDING_OUTCOMES.has(action.outcome) && action.comment) {
        // Recovery after a crash: an earlier run committed this change (the tree was unchanged).
        const { data } = await octokit.rest.repos.listCommits({
          ...repository,
          sha: target.branch,
          path: action.path,
          per_page: 1,
        });
        sha = data[0]?.sha;
      }
      // This run finishes what an earlier one committed, whose deploy may never have run.
      if ((needsCommit && !commit.sha) || action.earlierCommit) finishedEarlier = true;
      if (action.outcome === 'recorded' && !action.issue.labels.includes(LABELS.signed)) finishedEarlier = true;
      const languagePath = action.language === settings.language ? '' : `${action.language}/`;
      const context: CommentContext = {
        repository: target.repositoryName,
        commitSha: sha,
        // The receipt page of the signer's id, in their language: it finds their entry wherever
        // later additions move it.
        entryUrl: `${siteBaseUrl(settings)}${languagePath}${signatureReceiptPath(action.issue.author.id)}`,
        siteUrl: siteBaseUrl(settings),
        closingDate: settings.closing_date,
        catalog: checkout.catalogs.get(action.language) ?? checkout.catalogs.get(settings.language)!,
        withdrawTemplate: templateFileName('withdraw', action.language, settings.language),
        languagePath,
      };
      const created = action.comment
        ? await upsertBotComment(octokit, repository, action.issue, renderBotComment(action, context))
        : false;
      if (action.outcome === 'withdrawn' && action.redactIssue)
        await redactReceipt(octokit, repository, action.redactIssue);
      const updatedAt = await updateIssue(
        octokit,
        repository,
        action.issue,
        { labels: action.labels, close: action.close ? { reason: action.stateReason ?? 'completed' } : undefined },
        created,
      );
      if (!action.close && updatedAt) answered[number] = updatedAt;
    } catch (error) {
      const status = (error as { status?: number }).status;
      failures.push({ issue: number, error: status ? `GitHub answered ${status}` : (error as Error).name });
      log(`Could not finish issue #${number} (${status ?? (error as Error).name}). The next run will retry it.`);
    }
  }
  return { failures, answered, finishedEarlier };
}
