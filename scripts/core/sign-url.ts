/**
 * The link from the site's signing form to GitHub's new-issue page with sign.yml prefilled.
 * Pure: no I/O. content/assets/js/sign-form.js repeats this logic in plain browser JavaScript
 * (it cannot import TypeScript); test/browser checks that both produce the same URL.
 *
 * GitHub refuses URLs longer than about 8 KB (HTTP 414), so the URL is bounded by
 * {@link SIGN_URL_MAX_LENGTH} whatever is typed. The arithmetic:
 *
 * - Percent-encoding turns one UTF-16 code unit into at most 9 characters: a 3-byte UTF-8
 *   character such as 中 becomes %E4%B8%AD. A 4-byte character (emoji) is 2 units and 12
 *   characters, 6 per unit; a textarea line break is sent as %0D%0A, 6 characters. HTML
 *   `maxlength` counts UTF-16 code units, so 9 × maxlength bounds each field.
 * - The fixed part is at most {@link FIXED_PART_MAX_LENGTH} characters with the longest
 *   repository GitHub allows (owner 39 + "/" + name 100).
 * - Without JavaScript the browser submits the form as it is, with the title "Signature":
 *   227 + 9 × (100 + 60 + 450) = 5,717 ≤ 6,000, so the plain form's maxlengths alone keep it
 *   under the bound ({@link plainFormWorstCaseLength}).
 * - With JavaScript the reason may be as long as the processor accepts (1,000), and the title
 *   carries the name; {@link buildSignUrl} then shortens the reason until the URL fits, and the
 *   page tells the signer they can lengthen it again on GitHub.
 */
import { NAME_MAX_CHARACTERS, REASON_MAX_CHARACTERS } from './signature-file.ts';

/** The longest URL the form ever sends to GitHub: well under GitHub's ~8 KB limit. */
export const SIGN_URL_MAX_LENGTH = 6000;

/** The most characters percent-encoding makes of one UTF-16 code unit. */
export const MAX_ENCODED_PER_UNIT = 9;

/** Field limits in UTF-16 code units, as HTML `maxlength` counts them. */
export const FORM_LIMITS = {
  name: NAME_MAX_CHARACTERS,
  /** The longest English country name is 44 characters; names in other languages fit too. */
  country: 60,
  /** The reason's maxlength in the page's HTML, which is what a browser without JavaScript enforces. */
  plainReason: 450,
  /** With JavaScript: the processor's own limit; the URL bound may shorten it further. */
  reason: REASON_MAX_CHARACTERS,
  /** How much of the name the issue title repeats. */
  titleName: 40,
} as const;

/** GitHub: an owner has at most 39 characters, a repository name at most 100. */
const REPOSITORY_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const LONGEST_REPOSITORY_LENGTH = 39 + 1 + 100;

/** The plain form's title: the signer's name is added only by the script. */
export const PLAIN_TITLE = 'Signature';

/** The URL without any typed value, for the longest possible repository name. */
export const FIXED_PART_MAX_LENGTH =
  `https://github.com/${'x'.repeat(LONGEST_REPOSITORY_LENGTH)}/issues/new?template=sign.yml&title=${PLAIN_TITLE}&name=&country=&reason=`
    .length;

export interface SignFormValues {
  name: string;
  country: string;
  reason: string;
}

export interface SignUrl {
  url: string;
  /** The reason as it is in the URL (trimmed, perhaps shortened). */
  reason: string;
  /** Whether the reason had to be shortened to keep the URL under the bound. */
  reasonShortened: boolean;
}

/**
 * Which issue form the URL opens and the title it proposes: the default language's "sign.yml"
 * and "Signature", or a translation's ("sign-ru.yml", "Подпись"), from content/i18n/<code>.yml.
 */
export interface SignForm {
  template: string;
  title: string;
  /** The title with the name, "{name}" standing for it ("签名：{name}"); "<title>: {name}" if not given. */
  titleWithName?: string;
}
const DEFAULT_FORM: SignForm = { template: 'sign.yml', title: PLAIN_TITLE };

/**
 * The longest URL the form can produce without JavaScript, for a repository name of this length
 * (and, for a translated page, its form's template and title, which percent-encoding lengthens).
 */
export function plainFormWorstCaseLength(
  repositoryLength: number = LONGEST_REPOSITORY_LENGTH,
  form: SignForm = DEFAULT_FORM,
): number {
  const encoded = (value: string) => new URLSearchParams({ v: value }).toString().length - 2;
  const fixed =
    FIXED_PART_MAX_LENGTH -
    LONGEST_REPOSITORY_LENGTH +
    repositoryLength +
    encoded(form.template) -
    DEFAULT_FORM.template.length +
    encoded(form.title) -
    DEFAULT_FORM.title.length;
  return fixed + MAX_ENCODED_PER_UNIT * (FORM_LIMITS.name + FORM_LIMITS.country + FORM_LIMITS.plainReason);
}

/** Cuts `value` to at most `maxUnits` UTF-16 code units without splitting a surrogate pair. */
export function cutToUnits(value: string, maxUnits: number): string {
  if (value.length <= maxUnits) return value;
  let units = 0;
  let result = '';
  for (const character of value) {
    if (units + character.length > maxUnits) break;
    units += character.length;
    result += character;
  }
  return result;
}

/**
 * "Signature: Anna P." — the issue title; names longer than 40 characters end with "…".
 * `withName` is the language's pattern ("签名：{name}", form.sign.title_with_name).
 */
export function signIssueTitle(
  name: string,
  plainTitle: string = PLAIN_TITLE,
  withName: string = `${plainTitle}: {name}`,
): string {
  const trimmed = name.trim();
  if (trimmed === '') return plainTitle;
  const characters = [...trimmed];
  const short =
    characters.length > FORM_LIMITS.titleName
      ? `${characters
          .slice(0, FORM_LIMITS.titleName - 1)
          .join('')
          .trimEnd()}…`
      : trimmed;
  // split/join, not replace: a "$" in a name must stay as typed.
  return withName.split('{name}').join(short);
}

/**
 * Builds https://github.com/<repository>/issues/new?template=sign.yml&title=…&name=…&country=…&reason=…
 * (GitHub prefills text fields by their id). Values are trimmed and cut to {@link FORM_LIMITS};
 * if the URL would exceed `maxLength`, the reason is shortened to the longest beginning that fits.
 * Throws only for a repository that is not "owner/name" (a configuration error).
 */
export function buildSignUrl(
  repository: string,
  values: SignFormValues,
  maxLength: number = SIGN_URL_MAX_LENGTH,
  form: SignForm = DEFAULT_FORM,
): SignUrl {
  if (!REPOSITORY_PATTERN.test(repository))
    throw new Error(`Not a GitHub repository "owner/name": ${JSON.stringify(repository)}`);
  const name = cutToUnits(values.name.trim(), FORM_LIMITS.name).trim();
  const country = cutToUnits(values.country.trim(), FORM_LIMITS.country).trim();
  const typedReason = values.reason.trim();
  const make = (reason: string): string => {
    const query = new URLSearchParams({
      template: form.template,
      title: signIssueTitle(name, form.title, form.titleWithName),
      name,
      country,
      reason,
    });
    // URLSearchParams writes a space as "+"; %20 reads as a space everywhere. A typed "+" is %2B.
    return `https://github.com/${repository}/issues/new?${query.toString().replace(/\+/g, '%20')}`;
  };
  const reasonCharacters = [...cutToUnits(typedReason, FORM_LIMITS.reason)];
  let reason = reasonCharacters.join('');
  let url = make(reason);
  if (url.length > maxLength) {
    // Each character adds a fixed number of URL characters, so the fitting prefixes are a range:
    // find the longest by bisection.
    let low = 0;
    let high = reasonCharacters.length;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (make(reasonCharacters.slice(0, middle).join('')).length <= maxLength) low = middle;
      else high = middle - 1;
    }
    reason = reasonCharacters.slice(0, low).join('').trimEnd();
    url = make(reason);
    if (url.length > maxLength) throw new Error(`maxLength ${maxLength} leaves no room for the name and country.`);
  }
  return { url, reason, reasonShortened: reason !== typedReason };
}
