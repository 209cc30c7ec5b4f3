/**
 * The two lists that grow with the number of signatures, written as HTML strings in one pass:
 * the entries of each page of the full list (the markup of content/_includes/signer-list.njk with
 * reasons and receipts) and the rows of the printable volumes' tables. At 100,000 signatures a
 * Nunjucks loop over them cost about 15 µs per signature; this costs a few.
 *
 * Signer text is untrusted: every value goes through {@link escapeText}, which escapes exactly
 * what Nunjucks' autoescape does, so the pages come out byte for byte as the template loop wrote
 * them (test/unit/bench-scale.test.ts compares the two).
 */
import { channelOf, isOffline, type Channel, type PetitionRecord } from '../core/offline-signature.ts';
import { signatureEntryId } from '../core/signature-list.ts';
import { countryNameIn, formatDateIn } from './languages.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
};
const ESCAPED = /[&"'<>\\]/g;
const NEEDS_ESCAPING = /[&"'<>\\]/;

/** Escapes text for HTML content and attribute values exactly as Nunjucks' autoescape does. */
export function escapeText(value: string | number): string {
  const text = String(value);
  return NEEDS_ESCAPING.test(text) ? text.replace(ESCAPED, (character) => ESCAPES[character]!) : text;
}

/** Lists show this much of each reason; the full text is in the open data and the signer's file. */
export const LIST_REASON_CHARACTERS = 140;

/** Cuts text to `max` code points, ending in "…" when it was longer. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text; // never more code points than UTF-16 units
  const units = [...text];
  return units.length <= max
    ? text
    : `${units
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}

/** Memoises a function of one string: country names and dates repeat across signatures. */
function memo(compute: (key: string) => string): (key: string) => string {
  const cache = new Map<string, string>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = compute(key)));
    return value;
  };
}

/**
 * The element id of any signer's entry: "s" and the GitHub user id, or "o-" and the offline id
 * (which starts with a letter, so the two never meet).
 */
export function entryId(record: PetitionRecord): string {
  return isOffline(record) ? `o-${record.id}` : signatureEntryId(record.user_id);
}

/** How lists and the printable volumes name each channel, in the default language (site.channels). */
export interface ChannelWords {
  /** "on paper, batch {batch}" and "by email, batch {batch}": a list's label for an offline signature. */
  label_paper: string;
  label_email: string;
  /** The printable volumes' "Signed through" column. */
  word_github: string;
  word_paper: string;
  word_email: string;
}

const ENGLISH_CHANNEL_WORDS: ChannelWords = {
  label_paper: 'on paper, batch {batch}',
  label_email: 'by email, batch {batch}',
  word_github: 'GitHub',
  word_paper: 'paper',
  word_email: 'email',
};

/**
 * Renders signature entries and delivery rows; one per build, it caches per country and day.
 * Written once for every language, in the default language's `locale` (its site.locale).
 */
/** What the lists are written with: plain data, so that a helper thread can make the same renderer. */
export interface SignerHtmlOptions {
  repository: string;
  /** The default language's locale (its site.locale). */
  locale?: string;
  /** The receipt link's text, site.signatures.receipt: "receipt #{issue}". */
  receipt?: string;
  channels?: ChannelWords;
}

export function signerHtmlRenderer({
  repository,
  locale = 'en-GB',
  receipt = 'receipt #{issue}',
  channels = ENGLISH_CHANNEL_WORDS,
}: SignerHtmlOptions) {
  const country = memo((code) => escapeText(countryNameIn(locale, code)));
  const day = memo((date) => escapeText(formatDateIn(locale, date)));
  const word: Record<Channel, string> = {
    github: escapeText(channels.word_github),
    paper: escapeText(channels.word_paper),
    email: escapeText(channels.word_email),
  };
  const issueUrlPrefix = escapeText(`https://github.com/${repository}/issues/`);
  // The receipt link's text (site.signatures.receipt) around its issue number: "receipt #12".
  const [receiptBefore = '', receiptAfter = ''] = receipt.split('{issue}').map((part) => escapeText(part));
  return {
    /**
     * One entry of the full list, as signer-list.njk writes it with showReasons and
     * showReceipts on, including the line break and indent before it. The list pages are drawn
     * in the reader's browser from the open data (content/assets/js/signature-list.js); this is
     * the markup that script builds, element for element, which the tests hold it to.
     */
    listItem(record: PetitionRecord): string {
      const reason = record.reason
        ? `<span class="signer-reason" lang="">${escapeText(shorten(record.reason, LIST_REASON_CHARACTERS))}</span>`
        : '';
      // GitHub signatures link their receipt (the issue); offline ones say how they came.
      // The receipt's number goes into a URL and the text: printed only when it is a positive
      // whole number, whatever the loader let through (the loader is not this function's proof).
      const how = isOffline(record)
        ? ` · <span class="signer-channel">${escapeText(channels[`label_${record.channel}`].replace('{batch}', String(record.batch)))}</span>`
        : isReceiptNumber(record.issue)
          ? ` · <a href="${issueUrlPrefix}${record.issue}">${receiptBefore}${record.issue}${receiptAfter}</a>`
          : '';
      return (
        `\n  <li id="${escapeText(entryId(record))}"><span class="signer-name" lang="">${escapeText(record.name)}</span>` +
        ` <span class="signer-meta">${country(record.country)} · <time datetime="${escapeText(record.signed_at)}">` +
        `${day(record.signed_at.slice(0, 10))}</time>${how}</span>` +
        `${reason}</li>`
      );
    },
    /**
     * One row of a printable volume's table (rank, name, country, date, channel) after a line
     * break; `anchored` gives it the id `r<rank>` (the first row of each list page's signatures),
     * where a link lands. The site does not publish it: content/assets/js/signature-list.js draws
     * the same rows from the open data, and the tests hold it to this. The cells' and row's end
     * tags are left out, as HTML allows (when the pages held the rows, they were 30 MB at 1,000,000).
     */
    deliveryRow(record: PetitionRecord, rank: number, anchored = false): string {
      return `\n<tr${anchored ? ` id="r${Number(rank)}"` : ''}><td>${Number(rank)}<td lang="">${escapeText(record.name)}<td>${country(record.country)}<td>${escapeText(record.signed_at.slice(0, 10))}<td>${word[channelOf(record)] ?? ''}`;
    },
  };
}

/** Whether a receipt's issue number may be printed: a positive whole number, nothing else. */
export function isReceiptNumber(issue: unknown): issue is number {
  return typeof issue === 'number' && Number.isSafeInteger(issue) && issue > 0;
}
