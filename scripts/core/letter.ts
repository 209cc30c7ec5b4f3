/**
 * The letter as data: one language version read from its Markdown file, its addressees with what
 * has become of their offices, and the historical note printed on the web and in the delivery.
 * Pure: callers read the files.
 */
import matter from 'gray-matter';
import type { Settings } from './settings.ts';
import { letterDigest } from './tally.ts';

/** One language version of the letter, from content/letter.md or content/<language>/letter.md. */
export interface LetterVersion {
  /** Path in the repository, e.g. "content/letter.md". */
  file: string;
  language: string;
  title: string;
  /** When the text was written ("about 2008–2012"); empty for a new letter. */
  written: string;
  recipients: { office: string; name: string }[];
  /** The letter's own paragraphs, plain text (Markdown emphasis removed, links as "text (url)"). */
  paragraphs: string[];
  demands: string[];
  closing: string[];
  /** letterDigest of the file: the letter_sha256 a signer who read this version carries. */
  sha256: string;
}

/** Markdown (our own letter, never signer text) to plain paragraphs for the PDF. */
export function plainParagraphs(markdownText: string): string[] {
  return markdownText
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) =>
      block
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
        .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
        .replace(/^#+\s*/, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * One recipient as the letter's front matter gives it: an office, a person's name, or both. An
 * institution ("Riverside City Council") has no personal name; a string is taken as the office.
 */
function parseRecipient(value: unknown, where: string): { office: string; name: string } {
  const field = (key: string) => {
    const raw = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
    return raw === undefined || raw === null ? '' : String(raw).trim();
  };
  const recipient =
    typeof value === 'string' ? { office: value.trim(), name: '' } : { office: field('office'), name: field('name') };
  if (!recipient.office && !recipient.name) throw new Error(`${where} needs an office, a name, or both.`);
  return recipient;
}

/**
 * How a recipient is written on the letter: "Mayor of Riverside, Jane Doe", or either part alone
 * when the other is empty (no dangling comma).
 */
export function recipientLine(recipient: { office?: unknown; name?: unknown } | string): string {
  if (typeof recipient === 'string') return recipient.trim();
  return [recipient.office, recipient.name]
    .map((part) => (part === undefined || part === null ? '' : String(part).trim()))
    .filter(Boolean)
    .join(', ');
}

/**
 * Reads one letter file's text. `fallbackLanguage` is the site's language, for content/letter.md;
 * a translation says its own (`language:` in its front matter, or its file name).
 */
export function parseLetterVersion(text: string, file: string, fallbackLanguage: string): LetterVersion {
  const { data, content } = matter(text, {});
  const recipients = Array.isArray(data.recipients) ? (data.recipients as { office: string; name: string }[]) : [];
  const demands = Array.isArray(data.demands) ? (data.demands as unknown[]).map(String) : [];
  if (recipients.length === 0 || demands.length === 0)
    throw new Error(`${file} needs "recipients" and "demands" in its front matter.`);
  const fromName = /(?:^|\/)content\/([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\/letter\.md$/.exec(file)?.[1];
  return {
    file,
    language: String(data.language ?? fromName ?? fallbackLanguage),
    title: String(data.title ?? 'The letter'),
    written: data.written ? String(data.written) : '',
    recipients: recipients.map((r, index) => parseRecipient(r, `${file}: recipient ${index + 1}`)),
    paragraphs: plainParagraphs(content),
    demands,
    closing: plainParagraphs(String(data.closing ?? '')),
    sha256: letterDigest(text),
  };
}

/** The letter's recipients with what has become of their offices, from settings.offices_now (matched by office). */
export function addresseesOf(
  letter: Pick<LetterVersion, 'recipients'>,
  settings: Pick<Settings, 'offices_now'>,
): Addressee[] {
  const offices = new Map(settings.offices_now.map((office) => [office.office, office]));
  return letter.recipients.map((r) => ({
    office: r.office,
    named: r.name,
    left: offices.get(r.office)?.recipient_left ?? '',
    holder: offices.get(r.office)?.holder ?? '',
    holderAsOf: offices.get(r.office)?.holder_as_of ?? '',
    holderIn: offices.get(r.office)?.holder_in ?? {},
  }));
}

/** One addressee as the cover letter lists it: the office, whom the letter names, and now. */
export interface Addressee {
  office: string;
  /** The person the letter names. */
  named: string;
  /** When they left the office, if they have. */
  left: string;
  /** Who holds it now, if the campaigner named them. */
  holder: string;
  /** The day (YYYY-MM-DD) the holder was checked; never empty when `holder` is not. */
  holderAsOf: string;
  /** The holder's name in other languages, by language code. */
  holderIn: Record<string, string>;
}

/** "today (as of 1 June 2025): Mikhail Mishustin", or "" when no holder is named (the packet's English). */
export function holderNow(
  addressee: Pick<Addressee, 'holder' | 'holderAsOf'>,
  formatDay: (day: string) => string,
): string {
  return addressee.holder ? `today (as of ${formatDay(addressee.holderAsOf)}): ${addressee.holder}` : '';
}

function joinNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The historical note, in print as on the web: when the letter was written, and which of the
 * people it names have left their offices since, with when (from settings.offices_now).
 */
export function historicalNote(letter: Pick<LetterVersion, 'written'>, addressees: readonly Addressee[]): string {
  const parts: string[] = [];
  if (letter.written)
    parts.push(
      `This letter was written ${letter.written} and is delivered as written, so that each signature stays attached to the text its signer read.`,
    );
  const left = addressees.filter((a) => a.left);
  if (left.length > 0) {
    const all = left.length === addressees.length;
    const subject = all
      ? left.length === 1
        ? 'Its recipient has'
        : left.length === 2
          ? 'Both recipients have'
          : `All ${left.length} recipients have`
      : `${joinNames(left.map((a) => a.named))} ${left.length === 1 ? 'has' : 'have'}`;
    const detail = joinNames(
      left.map((a) => (a.named ? `${a.named} as ${a.office} in ${a.left}` : `${a.office} in ${a.left}`)),
    );
    parts.push(
      `${subject} since left office (${detail}): it is delivered to the offices it names and to those who hold them today.`,
    );
  }
  return parts.join(' ');
}
