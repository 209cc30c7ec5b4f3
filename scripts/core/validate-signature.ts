/**
 * Checking what a signer wrote. Returns every problem at once (as data for messages.ts, which
 * words them in terms a non-technical signer understands), or the clean signature.
 */
import { resolveCountry } from './countries.ts';
import type { FormValues } from './issue-form.ts';
import type { Problem } from './messages.ts';
import { COUNTRY_MAX_CODE_UNITS, nameProblems, normaliseText, reasonProblems, type TextProblem } from './text.ts';

export interface ValidSignature {
  name: string;
  country: string;
  reason: string;
}

export type SignatureValidation = { ok: true; signature: ValidSignature } | { ok: false; problems: Problem[] };

/**
 * Text that is a form's placeholder or a keyboard test, never a person's name. Compared
 * case-insensitively, ignoring dots and spaces. Names real people have ("John Doe", "Na") are
 * not here: refusing a real name is worse than accepting a joke.
 */
const PLACEHOLDER_NAMES = [
  'your name here',
  'your name',
  'name',
  'full name',
  'first last',
  'firstname lastname',
  'test',
  'testing',
  'asdf',
  'qwerty',
  'xxx',
  'n/a',
  'none',
  'anonymous',
  'example',
  'имя',
  'ваше имя',
  '姓名',
  '你的名字',
];
const placeholderKey = (name: string) =>
  name
    .toLocaleLowerCase('en')
    .replace(/[.\s]+/g, ' ')
    .trim();
const PLACEHOLDERS = new Set(PLACEHOLDER_NAMES.map(placeholderKey));

function fieldProblem(field: 'name' | 'reason', problem: TextProblem): Problem {
  switch (problem.kind) {
    case 'too-long':
      return { code: `${field}.tooLong`, actual: problem.actual, max: problem.max };
    case 'stacked-marks':
      return { code: `${field}.stackedMarks` };
    case 'url':
    case 'formula':
      return { code: `name.${problem.kind}` };
    default:
      return { code: `${field}.${problem.kind}` };
  }
}

/**
 * Validates parsed sign.yml values (ids name, country, reason, consent). The body they come from
 * is already bounded (see parseIssueForm), and each field is bounded again by the shared rules in
 * text.ts before any pattern looks at it.
 */
export function validateSignature(values: FormValues): SignatureValidation {
  const problems: Problem[] = [];
  const text = (id: string) => (typeof values[id] === 'string' ? normaliseText(values[id] as string) : '');

  const name = text('name');
  if (name === '') problems.push({ code: 'name.missing' });
  else {
    const found = nameProblems(name);
    problems.push(...found.map((problem) => fieldProblem('name', problem)));
    if (found.length === 0 && PLACEHOLDERS.has(placeholderKey(name)))
      problems.push({ code: 'name.placeholder', signerText: name });
  }

  const countryTyped = text('country');
  const country =
    countryTyped === '' || countryTyped.length > COUNTRY_MAX_CODE_UNITS ? undefined : resolveCountry(countryTyped);
  if (countryTyped === '') problems.push({ code: 'country.missing' });
  else if (!country)
    problems.push({ code: 'country.unknown', signerText: countryTyped.slice(0, COUNTRY_MAX_CODE_UNITS) });

  const reason = text('reason');
  problems.push(...reasonProblems(reason).map((problem) => fieldProblem('reason', problem)));

  const consent = values.consent;
  if (!Array.isArray(consent) || consent.length === 0 || !consent.every(Boolean))
    problems.push({ code: 'consent.missing' });

  if (problems.length > 0 || !country) return { ok: false, problems };
  return { ok: true, signature: { name, country: country.code, reason } };
}

/** Validates parsed withdraw.yml values (checkbox id confirm). */
export function validateWithdrawal(values: FormValues): Problem[] {
  const confirm = values.confirm;
  return Array.isArray(confirm) && confirm.length > 0 && confirm.every(Boolean)
    ? []
    : [{ code: 'withdrawal.notConfirmed' }];
}
