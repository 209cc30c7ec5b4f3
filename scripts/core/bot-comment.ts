/**
 * The bot's one comment per issue: a receipt, a rejection with every reason and how to fix it,
 * or a note. Starts with a hidden marker so later runs update it in place. Pure.
 */
import { countryName } from './countries.ts';
import type { IssueAction } from './decide.ts';
import { BOT_COMMENT_MARKER, FIX_BY_EDITING, problemMessage, refusals } from './messages.ts';
import { inertMarkdown } from './text.ts';

export interface CommentContext {
  repository: string;
  /** The commit that recorded the change, when known. */
  commitSha?: string;
  /** Absolute URL of the signer's entry on the site. */
  entryUrl?: string;
  siteUrl: string;
  closingDate: string;
}

/** Signer text quoted for a comment: a code span, in which nothing is live. */
export const quoteForMarkdown = inertMarkdown;

/** The full comment body for an action, marker first. */
export function renderBotComment(action: IssueAction, context: CommentContext): string {
  const lines: string[] = [BOT_COMMENT_MARKER];
  const commitLink = context.commitSha
    ? `[${context.commitSha.slice(0, 7)}](https://github.com/${context.repository}/commit/${context.commitSha})`
    : undefined;
  switch (action.outcome) {
    case 'signed':
    case 'updated':
    case 'recorded': {
      const record = action.record!;
      lines.push(
        action.outcome === 'updated'
          ? '**Your signature is updated.** Thank you!'
          : '**Thank you for signing!** Your signature is on the letter.',
        '',
        'This is your receipt. Published, on GitHub and on the petition site:',
        '',
        `- Name: ${quoteForMarkdown(record.name)}`,
        `- Country or territory: ${quoteForMarkdown(countryName(record.country))}`,
        `- Reason: ${record.reason ? quoteForMarkdown(record.reason, 300) : '(none)'}`,
        `- Your GitHub username and this issue`,
        '',
        `Recorded in commit ${commitLink ?? '(see the history of the file below)'}, file [\`${action.path}\`](https://github.com/${context.repository}/blob/HEAD/${action.path}).`,
      );
      if (context.entryUrl)
        lines.push(
          `Your entry on the site (it appears within a few minutes, once the site is rebuilt): ${context.entryUrl}`,
        );
      lines.push(
        '',
        `To change your entry, sign again from this account. To withdraw, use the [withdrawal form](https://github.com/${context.repository}/issues/new?template=withdraw.yml).`,
      );
      break;
    }
    case 'rejected':
      lines.push(
        "**Your issue couldn't be accepted yet.** Here is what needs fixing:",
        '',
        ...action.problems.map((problem) => `- ${problemMessage(problem, (text) => inertMarkdown(text, 100))}`),
        '',
        FIX_BY_EDITING,
      );
      if (action.issue.kind === 'signature') lines.push('', 'Your signature is not published until this is fixed.');
      break;
    case 'petition-closed':
      lines.push(
        `**Thank you for wanting to sign.** This petition is closed (its closing date was ${context.closingDate}), so no more signatures are being added. Nothing you wrote here was published on the site.`,
        '',
        `The petition and its letter: ${context.siteUrl}`,
      );
      break;
    case 'superseded':
      lines.push(
        action.issue.kind === 'signature' && action.supersededByKind === 'withdrawal'
          ? `You withdrew this signature in #${action.supersededBy}, so it is not on the letter.`
          : `This issue is replaced by your newer issue #${action.supersededBy}, which is the one that counts. One GitHub account has one signature.`,
      );
      break;
    case 'withdrawn':
      lines.push(
        commitLink
          ? `**Your signature is withdrawn.** Your signature file was deleted in commit ${commitLink}; the site drops it from the count within a few minutes.`
          : '**Your signature is withdrawn.** It was never added to the letter.',
        '',
        action.redactIssue
          ? `The receipt on your signature issue #${action.redactIssue}, which repeated your name, country and reason, is deleted. That issue's own text stays on GitHub, as every issue does, and the file stays in the repository's history: see "After you withdraw" on the petition site (${context.siteUrl}how-it-works/#after-withdrawal) for what remains and how to ask for it to be erased.`
          : `See "After you withdraw" on the petition site (${context.siteUrl}how-it-works/#after-withdrawal) for what remains public and how to ask for it to be erased.`,
      );
      break;
    case 'refused': {
      const refusal = action.refusal ?? 'blocked-account';
      lines.push(refusal === 'removed-since' ? refusals[refusal](action.supersededBy) : refusals[refusal]);
      break;
    }
    case 'not-signed':
      lines.push(
        '**There is no signature from this GitHub account**, so there is nothing to withdraw. A signature can only be withdrawn from the account that made it: if you signed with another account, open the withdrawal form from that one.',
      );
      break;
    case 'still-rejected':
      break;
  }
  return `${lines.join('\n')}\n`;
}
