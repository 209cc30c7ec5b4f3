/**
 * The link from the site's form to GitHub's new-issue page with the signature form prefilled.
 * GitHub refuses URLs longer than about 8 KB (414), so the URL is bounded whatever is typed.
 *
 * The arithmetic behind the form's limits: percent-encoding turns one UTF-16 unit into at most
 * 9 characters (a 3-byte UTF-8 character such as 中 → %E4%B8%AD; a 4-byte emoji is 2 units → 12).
 * With name ≤ 100, country ≤ 60 and reason ≤ 500 units, the fields take at most 6,000 characters,
 * the title (a 40-unit name excerpt) at most 400 more, and the fixed part about 250: under
 * {@link SIGN_URL_MAX_LENGTH}, so even the plain HTML form (no JavaScript) can never exceed it.
 * content/assets/sign-form.js repeats this logic in browser JavaScript; the tests check both.
 */

export const SIGN_URL_MAX_LENGTH = 7000;
export const FORM_LIMITS = { name: 100, country: 60, reason: 500, titleName: 40 } as const;

export interface SignFormValues {
  name: string;
  country: string;
  reason: string;
}

/** "Signature: Anna P." — the issue title, with long names shortened. */
export function signIssueTitle(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') return 'Signature';
  const units = [...trimmed];
  const short = units.length > FORM_LIMITS.titleName ? `${units.slice(0, FORM_LIMITS.titleName - 1).join('')}…` : trimmed;
  return `Signature: ${short}`;
}

/**
 * Builds https://github.com/<repository>/issues/new?template=sign.yml&title=…&name=…&country=…&reason=…
 * Values are trimmed and cut to the form's limits; if the URL would still be too long, the reason
 * is shortened (and `reasonShortened` is true, so the page can tell the signer).
 */
export function buildSignUrl(repository: string, values: SignFormValues): { url: string; reasonShortened: boolean } {
  const cut = (value: string, max: number) => value.trim().slice(0, max);
  const name = cut(values.name, FORM_LIMITS.name);
  const country = cut(values.country, FORM_LIMITS.country);
  let reason = cut(values.reason, FORM_LIMITS.reason);
  const make = (reasonText: string) => {
    const query = new URLSearchParams({ template: 'sign.yml', title: signIssueTitle(name), name, country });
    if (reasonText) query.set('reason', reasonText);
    // URLSearchParams writes spaces as "+", which GitHub reads as spaces in prefilled fields too,
    // but %20 is unambiguous in every field, so use it.
    return `https://github.com/${repository}/issues/new?${query.toString().replace(/\+/g, '%20')}`;
  };
  let url = make(reason);
  let reasonShortened = reason.length < values.reason.trim().length;
  while (url.length > SIGN_URL_MAX_LENGTH && reason.length > 0) {
    reason = reason.slice(0, Math.max(0, reason.length - Math.ceil((url.length - SIGN_URL_MAX_LENGTH) / 9) - 1));
    url = make(reason);
    reasonShortened = true;
  }
  return { url, reasonShortened };
}
