/**
 * Checking what a signer wrote. Returns every problem at once, in words a non-technical signer
 * understands (from messages.ts), or the clean signature.
 */
import { resolveCountry } from './countries.ts';
import type { FormValues } from './issue-form.ts';
import { messages } from './messages.ts';
import { NAME_MAX_CHARACTERS, REASON_MAX_CHARACTERS } from './signature-file.ts';
import { characterCount, containsUrl, forbiddenCharacterKinds, normaliseText, startsLikeFormula } from './text.ts';

export interface ValidSignature {
  name: string;
  country: string;
  reason: string;
}

export type SignatureValidation = { ok: true; signature: ValidSignature } | { ok: false; problems: string[] };

/** Names that are examples or tests, not people. Compared case-insensitively, ignoring dots and spaces. */
const PLACEHOLDER_NAMES = [
  'your name here',
  'your name',
  'name',
  'full name',
  'first last',
  'firstname lastname',
  'john doe',
  'jane doe',
  'test',
  'testing',
  'asdf',
  'qwerty',
  'xxx',
  'n/a',
  'na',
  'none',
  'anonymous',
  'anna p',
  'имя',
  'ваше имя',
  '姓名',
  '你的名字',
  'example',
];
const placeholderKey = (name: string) =>
  name
    .toLocaleLowerCase('en')
    .replace(/[.\s]+/g, ' ')
    .trim();
const PLACEHOLDERS = new Set(PLACEHOLDER_NAMES.map(placeholderKey));

/** Validates parsed sign.yml values (ids name, country, reason, consent). */
export function validateSignature(values: FormValues): SignatureValidation {
  const problems: string[] = [];
  const text = (id: string) => (typeof values[id] === 'string' ? normaliseText(values[id] as string) : '');

  const name = text('name');
  if (name === '') problems.push(messages.name.missing);
  else {
    const length = characterCount(name);
    if (length > NAME_MAX_CHARACTERS) problems.push(messages.name.tooLong(NAME_MAX_CHARACTERS, length));
    for (const kind of forbiddenCharacterKinds(name, { allowNewlines: false })) problems.push(messages.name[kind]);
    if (startsLikeFormula(name)) problems.push(messages.name.formula);
    if (containsUrl(name)) problems.push(messages.name.url);
    if (PLACEHOLDERS.has(placeholderKey(name))) problems.push(messages.name.placeholder(name));
  }

  const countryTyped = text('country');
  const country = countryTyped === '' ? undefined : resolveCountry(countryTyped);
  if (countryTyped === '') problems.push(messages.country.missing);
  else if (!country) problems.push(messages.country.unknown(countryTyped.slice(0, 100)));

  const reason = text('reason');
  const reasonLength = characterCount(reason);
  if (reasonLength > REASON_MAX_CHARACTERS) problems.push(messages.reason.tooLong(REASON_MAX_CHARACTERS, reasonLength));
  for (const kind of forbiddenCharacterKinds(reason, { allowNewlines: true })) problems.push(messages.reason[kind]);

  const consent = values.consent;
  if (!Array.isArray(consent) || consent.length === 0 || !consent.every(Boolean))
    problems.push(messages.consent.missing);

  if (problems.length > 0 || !country) return { ok: false, problems };
  return { ok: true, signature: { name, country: country.code, reason } };
}

/** Validates parsed withdraw.yml values (checkbox id confirm). */
export function validateWithdrawal(values: FormValues): string[] {
  const confirm = values.confirm;
  return Array.isArray(confirm) && confirm.length > 0 && confirm.every(Boolean)
    ? []
    : [messages.withdrawal.notConfirmed];
}
