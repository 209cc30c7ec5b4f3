/**
 * Every message the processor shows a signer or a maintainer, in one place, in plain words.
 * Signer-facing messages say what is wrong and how to fix it. A message never holds signer text
 * as it was typed: validation reports a {@link Problem} with the text apart, and whoever renders
 * the message quotes it inertly for where it goes (a code span in a comment, nothing in a log).
 */

export const FIX_BY_EDITING =
  'To fix it, edit this issue (open the **···** menu at the top right of your issue text and choose **Edit**), change what is listed above and save. It is checked again automatically within a few minutes.';

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

type Wording = { [C in ProblemCode]: (problem: Extract<Problem, { code: C }>, quoted: string) => string };

const number = (value: number) => value.toLocaleString('en');

const wording: Wording = {
  'structure.notFromForm': () =>
    'This issue does not look like it was made with the signing form, so it cannot be read reliably. Please open a new one through the form on the petition site.',
  'structure.tooLong': (p) =>
    `This issue is ${number(p.actual)} characters long, more than the form can produce (at most ${number(p.max)}). Please open a new one through the form on the petition site.`,
  'structure.headingInAnswer': (p) =>
    `One of your answers contains a line that looks like a heading of the form ("### ${p.label}"). Please remove that line.`,
  'name.missing': () =>
    'Your name is empty. Write the name you want shown on the letter (initials are fine: your first name and the first letter of your surname).',
  'name.tooLong': (p) =>
    `Your name is ${number(p.actual)} characters long; it can be at most ${number(p.max)}. A shorter form or initials are fine.`,
  'name.url': () => 'Your name contains a web address. Write only the name you want shown.',
  'name.formula': () => 'Your name starts with =, +, - or @. Please start it with a letter.',
  'name.control': () => 'Your name contains a line break or an invisible control character. Write it on one line.',
  'name.bidi': () =>
    'Your name contains invisible text-direction characters (they can make text display in a misleading order). Please type it again without copying from elsewhere.',
  'name.invisible': () =>
    'Your name contains invisible characters (such as zero-width spaces). Please type it again without copying from elsewhere.',
  'name.stackedMarks': () =>
    'Your name stacks many accents or marks on one letter, which would spill over the lines around it on the letter. Please type it again without copying from elsewhere.',
  'name.placeholder': (_p, quoted) =>
    `${quoted} looks like an example, not a real name. Write the name you want shown on the letter.`,
  'country.missing': () =>
    'Your country or territory is empty. Write it in any language, or as a two-letter code such as RU, CN or DE.',
  'country.unknown': (_p, quoted) =>
    `We could not recognise ${quoted} as a country or territory. Write its name (for example "Germany", "Германия" or "德国") or its two-letter code (for example "DE").`,
  'reason.tooLong': (p) =>
    `Your reason is ${number(p.actual)} characters long; it can be at most ${number(p.max)}. Please shorten it.`,
  'reason.control': () =>
    'Your reason contains invisible control characters. Please type it again without copying from elsewhere.',
  'reason.bidi': () =>
    'Your reason contains invisible text-direction characters. Please type it again without copying from elsewhere.',
  'reason.invisible': () =>
    'Your reason contains invisible characters (such as zero-width spaces). Please type it again without copying from elsewhere.',
  'reason.stackedMarks': () =>
    'Your reason stacks many accents or marks on one letter. Please type it again without copying from elsewhere.',
  'consent.missing': () =>
    'The consent box is not ticked. Your signature is only published with your consent: tick the box "I agree that my GitHub username … are published" when you edit the issue.',
  'withdrawal.notConfirmed': () =>
    'The confirmation box is not ticked. Edit this issue and tick "I want to withdraw my signature" to withdraw.',
};

/**
 * The message for `problem`. `quote` makes the signer's own text inert for the place the message
 * goes; it is the only way signer text reaches a message.
 */
export function problemMessage(problem: Problem, quote: (signerText: string) => string): string {
  const quoted = 'signerText' in problem ? quote(problem.signerText) : '';
  return (wording[problem.code] as (p: Problem, q: string) => string)(problem, quoted);
}

/** Why an account may not sign: said once, neutrally, when its issue is closed. */
export const refusals = {
  'not-a-person':
    'Only personal GitHub accounts can sign this petition; this issue was opened by a bot or an app, so it is closed without adding a signature.',
  'deleted-account':
    'The account that opened this issue has been deleted, so it cannot sign; the issue is closed without adding a signature.',
  'blocked-account':
    'This account cannot sign this petition. If you think this is a mistake, contact the maintainers of this repository.',
  'removed-since': (laterIssue?: number) =>
    `The signature from this issue was removed${laterIssue ? ` (withdrawn in #${laterIssue})` : ''} after this issue was first accepted, so reopening it does not sign again. To sign again, open a new signature issue through the form on the petition site.`,
} as const;

export type Refusal = keyof typeof refusals;

/** Hidden marker that identifies the bot's one comment on an issue, so later runs update it in place. */
export const BOT_COMMENT_MARKER = '<!-- petition-bot:receipt -->';
