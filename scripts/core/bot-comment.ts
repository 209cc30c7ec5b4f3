/**
 * The bot's one comment per issue: a receipt, a rejection with every reason and how to fix it,
 * or a note, in the language of the form the signer used. Starts with a hidden marker so later
 * runs update it in place. Pure: the words come from the language's catalog.
 */
import type { IssueAction } from './decide.ts';
import { format, type Catalog } from './i18n.ts';
import { BOT_COMMENT_MARKER, problemMessage } from './messages.ts';
import { inertMarkdown } from './text.ts';

export interface CommentContext {
  repository: string;
  /** The commit that recorded the change, when known. */
  commitSha?: string;
  /** Absolute URL of the signer's entry on the site. */
  entryUrl?: string;
  /** The site's base URL, ending in "/". */
  siteUrl: string;
  closingDate: string;
  /** The strings of the issue's language (see IssueAction.language). */
  catalog: Catalog;
  /** The withdrawal form in that language (withdraw.yml, withdraw-ru.yml, …). */
  withdrawTemplate?: string;
  /** Where that language's pages are below the site's base URL: "" for the default, "ru/" for Russian. */
  languagePath?: string;
}

/** Signer text quoted for a comment: a code span, in which nothing is live. */
export const quoteForMarkdown = inertMarkdown;

/** One Intl.DisplayNames per language: building one costs about 8 µs, asking it about 1 µs. */
const regionNames = new Map<string, Intl.DisplayNames | null>();

/** A country's name in the reader's language, from the platform's Intl data. */
function countryIn(language: string, code: string): string {
  let names = regionNames.get(language);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([language], { type: 'region', fallback: 'code' });
    } catch {
      names = null; // A language tag Intl rejects: the code is shown instead.
    }
    regionNames.set(language, names);
  }
  try {
    return names?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Says one message of the catalog's `bot` section with its values. */
type Say = (path: string[], values?: Record<string, string | number>) => string;

/** The receipt: what was recorded, where, and how to change or withdraw it. */
function receiptLines(
  action: IssueAction,
  context: CommentContext,
  say: Say,
  commitLink: string | undefined,
): string[] {
  const { catalog } = context;
  const record = action.record!;
  const file = `[\`${action.path}\`](https://github.com/${context.repository}/blob/HEAD/${action.path})`;
  const lines = [
    say(['receipt', action.outcome === 'updated' ? 'updated' : 'signed']),
    '',
    say(['receipt', 'intro']),
    '',
    `- ${say(['receipt', 'name'], { value: inertMarkdown(record.name) })}`,
    `- ${say(['receipt', 'country'], { value: inertMarkdown(countryIn(catalog.language, record.country)) })}`,
    `- ${record.reason ? say(['receipt', 'reason'], { value: inertMarkdown(record.reason, 300) }) : say(['receipt', 'no_reason'])}`,
    `- ${say(['receipt', 'username'])}`,
    '',
    commitLink
      ? say(['receipt', 'recorded'], { commit: commitLink, file })
      : say(['receipt', 'recorded_unknown'], { file }),
  ];
  if (context.entryUrl) lines.push(say(['receipt', 'entry'], { url: context.entryUrl }));
  lines.push(
    '',
    say(['receipt', 'change'], {
      url: `https://github.com/${context.repository}/issues/new?template=${context.withdrawTemplate ?? 'withdraw.yml'}`,
    }),
  );
  return lines;
}

/** The full comment body for an action, marker first. */
export function renderBotComment(action: IssueAction, context: CommentContext): string {
  const { catalog } = context;
  const say: Say = (path, values = {}) => format(catalog, ['bot', ...path], values);
  const lines: string[] = [BOT_COMMENT_MARKER];
  const commitLink = context.commitSha
    ? `[${context.commitSha.slice(0, 7)}](https://github.com/${context.repository}/commit/${context.commitSha})`
    : undefined;
  const afterWithdrawal = `${context.siteUrl}${context.languagePath ?? ''}how-it-works/#after-withdrawal`;
  switch (action.outcome) {
    case 'signed':
    case 'updated':
    case 'recorded':
      lines.push(...receiptLines(action, context, say, commitLink));
      break;
    case 'rejected':
      lines.push(
        say(['rejected', 'heading']),
        '',
        ...action.problems.map(
          (problem) => `- ${problemMessage(problem, (text) => inertMarkdown(text, 100), catalog)}`,
        ),
        '',
        say(['rejected', 'fix']),
      );
      if (action.issue.kind === 'signature') lines.push('', say(['rejected', 'not_published']));
      break;
    case 'petition-closed':
      lines.push(
        say(['petition_closed'], { date: context.closingDate }),
        '',
        say(['petition_link'], { url: context.siteUrl }),
      );
      break;
    case 'superseded':
      lines.push(
        action.issue.kind === 'signature' && action.supersededByKind === 'withdrawal'
          ? say(['superseded_by_withdrawal'], { issue: String(action.supersededBy ?? '') })
          : say(['superseded_by_newer'], { issue: String(action.supersededBy ?? '') }),
      );
      break;
    case 'withdrawn':
      lines.push(
        commitLink ? say(['withdrawn'], { commit: commitLink }) : say(['withdrawn_never_added']),
        '',
        action.redactIssue
          ? say(['withdrawn_receipt_deleted'], { issue: String(action.redactIssue), url: afterWithdrawal })
          : say(['withdrawn_what_remains'], { url: afterWithdrawal }),
      );
      break;
    case 'not-signed':
      lines.push(say(['not_signed']));
      break;
    case 'refused': {
      const refusal = action.refusal ?? 'blocked-account';
      if (refusal === 'removed-since' && action.supersededBy)
        lines.push(say(['refused', 'removed_since_withdrawn'], { issue: String(action.supersededBy) }));
      else lines.push(say(['refused', refusal.replace(/-/g, '_')]));
      break;
    }
    case 'still-rejected':
      break;
  }
  return `${lines.join('\n')}\n`;
}
