/**
 * Issue bodies built to make a parser or a pattern work hard: used by `npm run bench` (which times
 * them) and by the tests (which check each is answered quickly and correctly). Every body is as
 * long as GitHub allows (65,536 characters) or as long as the form's bound lets through.
 */
import { ISSUE_BODY_MAX_CODE_UNITS, renderIssueForm, type FormField } from '../../core/issue-form.ts';

/** GitHub's own limit on an issue body. */
export const GITHUB_BODY_MAX = 65_536;

/** Named adversarial bodies for the signing form `fields`. */
export function hostileIssueBodies(fields: readonly FormField[]): Array<{ label: string; body: string }> {
  const form = (name: string, reason: string, country = 'DE') =>
    renderIssueForm(fields, { name, country, reason, consent: [true] });
  const fit = (body: string, max: number) => body.slice(0, max);
  const cases: Array<[string, (n: number) => string]> = [
    ['"a-a-a-…" in the name', (n) => form('a-'.repeat(n / 2), '')],
    ['"a-a-a-…" in the reason', (n) => form('Anna', 'a-'.repeat(n / 2))],
    ['one letter under combining marks', (n) => form(`A${'\u0301'.repeat(n)}`, '')],
    ['heading lines in the reason', (n) => form('Anna', '### '.repeat(n / 4))],
    ['ticked boxes in the reason', (n) => form('Anna', '- [x] '.repeat(n / 6))],
    ['carriage returns', (n) => form('Anna', 'a\r'.repeat(n / 2))],
    ['a country of dots and dashes', (n) => form('Anna', '', '.-'.repeat(n / 2))],
    ['@mentions and #references', (n) => form('Anna', '@a #1 '.repeat(n / 6))],
    ['emoji joiners', (n) => form('Anna', '👩‍👩‍👧‍👦'.repeat(n / 11))],
  ];
  // The bodies at the bound are whole forms, so they reach validation, not just the parser.
  const room = ISSUE_BODY_MAX_CODE_UNITS - form('', '', '').length - 12;
  return cases.flatMap(([label, make]) => [
    { label: `${label}, 65,536 characters`, body: fit(make(GITHUB_BODY_MAX), GITHUB_BODY_MAX) },
    { label: `${label}, at the form's bound`, body: make(room) },
  ]);
}
