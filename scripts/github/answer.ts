/**
 * Answering issues: the processor's last stage. One bot comment per issue, found by its hidden
 * marker and written by a bot account, updated in place; only the processor's own labels are
 * added or removed; a withdrawn signer's receipt is deleted.
 *
 * "One receipt per issue, always": a comment POST that GitHub stored but answered 502 is not
 * retried blindly (the retry plugin would post it twice) but looked for; and two runs that
 * answer the same issue at once both see, in the issue GitHub returns when they close it, more
 * comments than they wrote, look, and keep only the oldest receipt. Whichever of them writes
 * last sees every receipt written before, so the duplicate never survives.
 */
import { LABEL_DEFINITIONS, OWN_LABELS, type IssueSnapshot } from '../core/decide.ts';
import { BOT_COMMENT_MARKER } from '../core/messages.ts';
import type { ProcessorOctokit } from './client.ts';
import type { RepositoryRef } from './issues.ts';

/** Tries at creating a comment, each after checking that the one before was not stored. */
const COMMENT_ATTEMPTS = 3;

interface CommentLike {
  id: number;
  body?: string | null;
  user?: { type?: string } | null;
}

/** Comments the processor wrote: the marker, from a bot account (a signer can paste the marker). */
export function isBotComment(comment: CommentLike): boolean {
  return comment.user?.type === 'Bot' && (comment.body ?? '').startsWith(BOT_COMMENT_MARKER);
}

/** The labels an issue carries after the answer: everyone else's, and exactly our `own`. */
export function labelsAfter(current: readonly string[], own: readonly string[]): string[] {
  return [...current.filter((label) => !OWN_LABELS.has(label)), ...own.filter((label, i) => own.indexOf(label) === i)];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

async function botComments(octokit: ProcessorOctokit, { owner, repo }: RepositoryRef, issueNumber: number) {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  return comments.filter(isBotComment).sort((a, b) => a.id - b.id);
}

/** Keeps the oldest receipt and deletes the others. */
async function keepOneReceipt(octokit: ProcessorOctokit, repository: RepositoryRef, issueNumber: number) {
  const mine = await botComments(octokit, repository, issueNumber);
  for (const extra of mine.slice(1)) {
    try {
      await octokit.rest.issues.deleteComment({ ...repository, comment_id: extra.id });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error; // 404: the other run deleted it
    }
  }
}

/**
 * Writes `body` as the issue's one bot comment. Returns whether a new comment was created, so
 * the caller can check for a concurrent duplicate.
 */
export async function upsertBotComment(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  issue: Pick<IssueSnapshot, 'number' | 'comments'>,
  body: string,
): Promise<boolean> {
  if (issue.comments > 0) {
    const [mine] = await botComments(octokit, repository, issue.number);
    if (mine) {
      if (mine.body !== body) await octokit.rest.issues.updateComment({ ...repository, comment_id: mine.id, body });
      return false;
    }
  }
  // Not retried by the plugin: a lost answer to a stored comment would make a second one. Each
  // retry here first looks whether the last attempt was stored after all.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await octokit.rest.issues.createComment({
        ...repository,
        issue_number: issue.number,
        body,
        request: { retries: 0 },
      });
      break;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if ((status !== undefined && status >= 400 && status < 500) || attempt >= COMMENT_ATTEMPTS) throw error;
      const [stored] = await botComments(octokit, repository, issue.number);
      if (stored) {
        if (stored.body !== body)
          await octokit.rest.issues.updateComment({ ...repository, comment_id: stored.id, body });
        break;
      }
    }
  }
  return true;
}

export interface IssueUpdate {
  /** The processor's own labels the issue should carry. */
  labels: readonly string[];
  close?: { reason: 'completed' | 'not_planned' };
}

/**
 * Sets the issue's own labels and state in one request when anything changes, then makes sure
 * it has one receipt if this run created one. Returns the issue's updated_at afterwards, when known.
 */
export async function updateIssue(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  issue: Pick<IssueSnapshot, 'number' | 'comments' | 'labels' | 'updated_at'>,
  update: IssueUpdate,
  createdComment: boolean,
): Promise<string | undefined> {
  const labels = labelsAfter(issue.labels, update.labels);
  const expectedComments = issue.comments + (createdComment ? 1 : 0);
  if (!update.close && sameSet(labels, issue.labels)) {
    if (createdComment) await keepOneReceipt(octokit, repository, issue.number);
    return issue.updated_at;
  }
  const { data } = await octokit.rest.issues.update({
    ...repository,
    issue_number: issue.number,
    labels,
    ...(update.close ? { state: 'closed' as const, state_reason: update.close.reason } : {}),
  });
  if (createdComment && data.comments > expectedComments) await keepOneReceipt(octokit, repository, issue.number);
  return data.updated_at;
}

/**
 * After a withdrawal: deletes the receipt on the signer's original issue (it repeated their
 * name, country and reason; an edit would keep them in the comment's public edit history) and
 * labels that issue "withdrawn", so reopening it cannot sign again.
 */
export async function redactReceipt(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  signatureIssue: number,
): Promise<void> {
  for (const receipt of await botComments(octokit, repository, signatureIssue)) {
    try {
      await octokit.rest.issues.deleteComment({ ...repository, comment_id: receipt.id });
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  try {
    await octokit.rest.issues.addLabels({ ...repository, issue_number: signatureIssue, labels: ['withdrawn'] });
    await octokit.rest.issues.removeLabel({ ...repository, issue_number: signatureIssue, name: 'signed' });
  } catch (error) {
    // 404: the issue was deleted by a maintainer, or had no "signed" label; nothing left to do.
    if ((error as { status?: number }).status !== 404) throw error;
  }
}

/** Creates any of our labels the repository lacks: a fork needs no manual setup. */
export async function ensureLabels(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  log: (message: string) => void,
): Promise<void> {
  const present = new Set(
    (await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { ...repository, per_page: 100 })).map(
      (label) => label.name,
    ),
  );
  for (const [name, definition] of Object.entries(LABEL_DEFINITIONS)) {
    if (present.has(name)) continue;
    try {
      await octokit.rest.issues.createLabel({ ...repository, name, ...definition });
      log(`Created the label "${name}".`);
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error; // 422: created meanwhile
    }
  }
}
