/**
 * Rules for untrusted text (names and reasons written by signers), shared by the processor,
 * which rejects bad text with a message, and the site's loader, which skips bad files.
 */

/** Kinds of character that never belong in a name or a reason. */
export type ForbiddenCharacterKind = 'control' | 'bidi' | 'invisible';

// C0/C1 controls except tab and newline (which reasons may contain; names are checked separately).
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
// Bidi embeddings, overrides and isolates can make text display in a different order than it reads.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// Zero-width and other invisible characters hide content or make two names look identical.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF\uFFF9-\uFFFB]/u;
const URL_LIKE = /(?:https?:\/\/|www\.|\b[a-z0-9-]+\.(?:com|net|org|ru|cn|io|info|xyz|top|ly|me|co)\b)/iu;

/** Normalises to Unicode NFC, turns Windows and old Mac line ends into "\n", and trims. */
export function normaliseText(value: string): string {
  return value.normalize('NFC').replace(/\r\n?/g, '\n').trim();
}

/** Counts user-perceived characters (so "é" written with a combining accent counts once). */
export function characterCount(value: string): number {
  // Every grapheme is at least one UTF-16 unit, so short ASCII-only text needs no segmenting.
  if (/^[\x00-\x7F]*$/.test(value)) return value.length;
  let count = 0;
  for (const _ of graphemes.segment(value)) count += 1;
  return count;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Lists the kinds of forbidden character present in `value`, each once. */
export function forbiddenCharacterKinds(
  value: string,
  { allowNewlines }: { allowNewlines: boolean },
): ForbiddenCharacterKind[] {
  const kinds: ForbiddenCharacterKind[] = [];
  if (CONTROL.test(value) || (!allowNewlines && /[\t\n]/.test(value))) kinds.push('control');
  if (BIDI.test(value)) kinds.push('bidi');
  if (INVISIBLE.test(value)) kinds.push('invisible');
  return kinds;
}

/** Whether the text contains something that looks like a web address. */
export function containsUrl(value: string): boolean {
  return URL_LIKE.test(value);
}

/** Whether a spreadsheet would treat the text as a formula. */
export function startsLikeFormula(value: string): boolean {
  return /^[=+\-@\t\r]/.test(value);
}

/**
 * Makes a value safe for one CSV cell: formula-like text gets a leading apostrophe (the OWASP
 * advice) and the cell is quoted when it contains a separator, quote or line break.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && startsLikeFormula(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
