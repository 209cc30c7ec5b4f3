/**
 * What a signer must fix, as data. The words live in one file per language
 * (content/i18n/<code>.yml, under bot.problems), in plain words that say what is wrong and how to
 * fix it. A message never holds signer text as it was typed: validation reports a {@link Problem}
 * with the text apart, and whoever renders the message quotes it inertly for where it goes (a
 * code span in a comment, nothing in a log).
 */
import { format, type Catalog } from './i18n.ts';

/** What a signer must fix, as data: `code` picks the message, the rest fills it in. */
export type Problem =
  | { code: 'structure.notFromForm' }
  | { code: 'structure.tooLong'; actual: number; max: number }
  | { code: 'structure.headingInAnswer'; label: string }
  | { code: `name.${'missing' | 'url' | 'formula' | 'control' | 'bidi' | 'invisible' | 'stackedMarks'}` }
  | { code: 'name.tooLong'; actual: number; max: number }
  | { code: 'name.placeholder'; signerText: string }
  | { code: 'country.missing' }
  | { code: 'country.unknown'; signerText: string }
  | { code: 'reason.tooLong'; actual: number; max: number }
  | { code: `reason.${'control' | 'bidi' | 'invisible' | 'stackedMarks'}` }
  | { code: 'consent.missing' }
  | { code: 'withdrawal.notConfirmed' };

export type ProblemCode = Problem['code'];

/**
 * The message for `problem` in the catalog's language (content/i18n/<code>.yml, bot.problems).
 * `quote` makes the signer's own text inert for the place the message goes; it is the only way
 * signer text reaches a message, and it reaches it as a value, never as part of the pattern.
 */
export function problemMessage(problem: Problem, quote: (signerText: string) => string, catalog: Catalog): string {
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(problem))
    if (key !== 'code' && key !== 'signerText' && (typeof value === 'string' || typeof value === 'number'))
      values[key] = value;
  if ('signerText' in problem) values.value = quote(problem.signerText);
  return format(catalog, ['bot', 'problems', problem.code], values);
}

/** Why an account may not sign: said once, neutrally, when its issue is closed. */
export type Refusal = 'not-a-person' | 'deleted-account' | 'blocked-account' | 'removed-since';

/** Hidden marker that identifies the bot's one comment on an issue, so later runs update it in place. */
export const BOT_COMMENT_MARKER = '<!-- petition-bot:receipt -->';
