/**
 * Rules for untrusted text (names and reasons written by signers), shared by the processor,
 * which rejects bad text with a message, and the site's loader, which skips bad files: one rule
 * set, so anything the processor accepts the build shows.
 *
 * Every rule first bounds the size of the text (code units, bytes, code points) with plain loops,
 * and only then runs a pattern, and every pattern is linear: a stranger's 65,536-character issue
 * costs microseconds, not seconds.
 */

/** Kinds of character that never belong in a name or a reason. */
export type ForbiddenCharacterKind = 'control' | 'bidi' | 'invisible';

/** How large one field may be, in user-perceived characters, code points and UTF-8 bytes. */
export interface TextLimits {
  characters: number;
  codePoints: number;
  bytes: number;
}

/**
 * A name: 100 characters, as the form says. The code point and byte bounds leave room for any
 * script (Devanagari or Tibetan spend two or three code points a character, CJK three bytes a
 * code point) but not for a few letters buried under thousands of combining marks.
 */
export const NAME_LIMITS: TextLimits = { characters: 100, codePoints: 400, bytes: 1200 };
/** A reason: 1,000 characters, with the same headroom. */
export const REASON_LIMITS: TextLimits = { characters: 1000, codePoints: 4000, bytes: 12000 };
/** Country names are short in every language; longer input is not a country. */
export const COUNTRY_MAX_CODE_UNITS = 100;
/**
 * Combining marks in a row. Real scripts stack at most three or four (Tibetan, Thai, Vietnamese
 * before NFC); "Zalgo" text stacks dozens and smears over the lines around it.
 */
export const MAX_COMBINING_MARKS_IN_A_ROW = 6;

/** What is wrong with a piece of signer text, in a form both the processor and the loader word. */
export type TextProblem =
  | { kind: 'too-long'; max: number; actual: number }
  | { kind: 'stacked-marks' }
  | { kind: ForbiddenCharacterKind }
  | { kind: 'formula' }
  | { kind: 'url' };

// C0/C1 controls except tab and newline (which reasons may contain; names are checked separately).
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
// Bidi embeddings, overrides and isolates can make text display in a different order than it reads.
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
// Zero-width and other invisible characters hide content or make two names look identical.
const INVISIBLE = /[\u00AD\u180E\u200B-\u200D\u2060-\u2064\uFEFF\uFFF9-\uFFFB]/u;
// The lookbehind lets a domain-like word start only where a word starts, so the run of letters,
// digits and hyphens is scanned once: with a plain \b, "a-a-a-…" restarted after every hyphen
// and cost quadratic time (10 s for 65,000 characters).
const URL_LIKE = /(?:https?:\/\/|www\.|(?<![a-z0-9-])[a-z0-9-]+\.(?:com|net|org|ru|cn|io|info|xyz|top|ly|me|co)\b)/iu;
const STACKED_MARKS = new RegExp(`\\p{M}{${MAX_COMBINING_MARKS_IN_A_ROW + 1}}`, 'u');

/** Normalises to Unicode NFC, turns Windows and old Mac line ends into "\n", and trims. */
export function normaliseText(value: string): string {
  const composed = value.normalize('NFC');
  // The replacement only when there is a carriage return: the loader runs this on every name and
  // reason of every file at each build.
  return (composed.includes('\r') ? composed.replace(/\r\n?/g, '\n') : composed).trim();
}

/**
 * V8 cuts a string of 13 or more characters out of a longer one by pointing into it, so a reason
 * trimmed out of its file kept the file's whole text alive as long as the record lived: 80 MB of
 * a build's memory at a million signatures.
 */
const SLICED_FROM = 13;

/** `value` as a string of its own, sharing no memory with the text it was cut from. */
export function detached(value: string): string {
  return value.length < SLICED_FROM ? value : Buffer.from(value, 'utf8').toString('utf8');
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Counts user-perceived characters (so "é" written with a combining accent counts once). */
export function characterCount(value: string): number {
  // Every grapheme is at least one UTF-16 unit, so short ASCII-only text needs no segmenting.
  if (/^[\x00-\x7F]*$/.test(value)) return value.length;
  let count = 0;
  for (const _ of graphemes.segment(value)) count += 1;
  return count;
}

/** Counts code points with a loop: no pattern, no array, linear in the text's length. */
export function codePointCount(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i += 1;
    }
    count += 1;
  }
  return count;
}

/**
 * Checks the size of `value` against `limits`, cheapest measure first, and returns the
 * too-long problem or undefined. UTF-8 never takes fewer bytes than UTF-16 code units, so a text
 * longer in code units than the byte limit is refused before anything else is counted.
 */
export function sizeProblem(value: string, limits: TextLimits): TextProblem | undefined {
  if (value.length > limits.bytes) return tooLong(value, limits);
  if (value.length <= limits.characters) return undefined; // graphemes ≤ code points ≤ code units
  if (Buffer.byteLength(value, 'utf8') > limits.bytes) return tooLong(value, limits);
  if (codePointCount(value) > limits.codePoints) return tooLong(value, limits);
  return characterCount(value) > limits.characters ? tooLong(value, limits) : undefined;
}

/**
 * The too-long problem of `value`. A function of its own, not a closure made at every call: the
 * loader checks every name and reason of every file at each build, and under tsx each named
 * closure also gets its name set (esbuild's keepNames), which cost more than the checks.
 */
function tooLong(value: string, limits: TextLimits): TextProblem {
  return {
    kind: 'too-long',
    max: limits.characters,
    actual: value.length > limits.bytes ? codePointCount(value) : characterCount(value),
  };
}

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

/** Whether the text stacks more combining marks on one letter than any script needs. */
export function hasStackedMarks(value: string): boolean {
  return STACKED_MARKS.test(value);
}

/** The first characters that make a spreadsheet read a cell as a formula, as a character class's content. */
const FORMULA_FIRST = String.raw`=+\-@\t\r`;
const FORMULA_START = new RegExp(`^[${FORMULA_FIRST}]`);

/** Whether a spreadsheet would treat the text as a formula. */
export function startsLikeFormula(value: string): boolean {
  return FORMULA_START.test(value);
}

/**
 * Every problem with a name (already normalised and non-empty): the one rule the processor
 * and the site's loader share. A name that is too large gets only that problem, so no other
 * rule ever runs on it.
 */
export function nameProblems(name: string): TextProblem[] {
  const size = sizeProblem(name, NAME_LIMITS);
  if (size) return [size];
  const problems: TextProblem[] = [];
  if (hasStackedMarks(name)) problems.push({ kind: 'stacked-marks' });
  for (const kind of forbiddenCharacterKinds(name, { allowNewlines: false })) problems.push({ kind });
  if (startsLikeFormula(name)) problems.push({ kind: 'formula' });
  if (containsUrl(name)) problems.push({ kind: 'url' });
  return problems;
}

/** Every problem with a reason (already normalised; may be empty), as {@link nameProblems}. */
export function reasonProblems(reason: string): TextProblem[] {
  // Most signers give no reason: nothing to check.
  if (reason === '') return [];
  const size = sizeProblem(reason, REASON_LIMITS);
  if (size) return [size];
  const problems: TextProblem[] = [];
  if (hasStackedMarks(reason)) problems.push({ kind: 'stacked-marks' });
  for (const kind of forbiddenCharacterKinds(reason, { allowNewlines: true })) problems.push({ kind });
  return problems;
}

/** How the loader words a shared rule's finding in its warnings ("name contains bidi characters"). */
export function describeTextProblem(field: string, problem: TextProblem): string {
  switch (problem.kind) {
    case 'too-long':
      return `${field} is longer than ${problem.max} characters`;
    case 'stacked-marks':
      return `${field} stacks too many combining marks on one letter`;
    case 'formula':
      return `${field} starts with = + - or @`;
    case 'url':
      return `${field} contains a web address`;
    default:
      return `${field} contains ${problem.kind} characters`;
  }
}

/**
 * Makes a value safe for one CSV cell: formula-like text gets a leading apostrophe (the OWASP
 * advice) and the cell is quoted when it contains a separator, quote or line break. Text that
 * already starts with an apostrophe gets one too, so the rule for reading the cell back is
 * exact: a cell that starts with an apostrophe loses exactly one.
 */
export function csvCell(value: string | number): string {
  if (typeof value !== 'string') return quotedCsvCell(String(value));
  return quotedCsvCell(FORMULA_OR_APOSTROPHE.test(value) ? `'${value}` : value);
}

/** What {@link startsLikeFormula} looks for, and an apostrophe (see {@link csvCell}). */
const FORMULA_OR_APOSTROPHE = new RegExp(`^[${FORMULA_FIRST}']`);
const NEEDS_CSV_QUOTES = /[",\n\r]/;

function quotedCsvCell(text: string): string {
  return NEEDS_CSV_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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

/**
 * Quotes untrusted text for GitHub Markdown (issue comments, the job summary) so that nothing in
 * it is live: a code span, whose content GitHub renders literally — no links or autolinks, no
 * images, no @mentions, no #references, no HTML. Whitespace runs become one space and the text
 * is cut to `max` code points. The fence is one backtick longer than any run inside, and the
 * padding spaces keep a leading or trailing backtick from touching the fence.
 */
export function inertMarkdown(text: string, max = 200): string {
  const bounded = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const points = Array.from(bounded.replace(/\s+/g, ' ').trim());
  const short = points.length > max ? `${points.slice(0, max - 1).join('')}…` : points.join('');
  if (short === '') return '` `';
  let longestRun = 0;
  let run = 0;
  for (const character of short) {
    run = character === '`' ? run + 1 : 0;
    if (run > longestRun) longestRun = run;
  }
  const fence = '`'.repeat(longestRun + 1);
  return `${fence} ${short} ${fence}`;
}

/**
 * Makes untrusted text safe for one line of the Actions log: no line breaks or controls (a
 * line starting with "::" is a workflow command), and "::" itself broken up, bounded in length.
 */
export function inertLogText(text: string, max = 200): string {
  const bounded = text.length > max * 2 ? text.slice(0, max * 2) : text;
  return bounded
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ')
    .replace(/::/g, ': :')
    .slice(0, max);
}
