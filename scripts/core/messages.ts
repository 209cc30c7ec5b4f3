/**
 * Every message the processor shows a signer or a maintainer, in one place, in plain words.
 * Signer-facing messages say what is wrong and how to fix it.
 */

export const FIX_BY_EDITING =
  'To fix it, edit this issue (open the **···** menu at the top right of your issue text and choose **Edit**), change what is listed above and save. It is checked again automatically within a few minutes.';

export const messages = {
  structure: {
    notFromForm:
      'This issue does not look like it was made with the signing form, so it cannot be read reliably. Please open a new one through the form on the petition site.',
    headingInAnswer: (label: string) =>
      `One of your answers contains a line that looks like a heading of the form ("### ${label}"). Please remove that line.`,
  },
  name: {
    missing:
      'Your name is empty. Write the name you want shown on the letter (initials are fine, for example "Anna P.").',
    tooLong: (max: number, actual: number) =>
      `Your name is ${actual} characters long; it can be at most ${max}. A shorter form or initials are fine.`,
    url: 'Your name contains a web address. Write only the name you want shown.',
    formula: 'Your name starts with =, +, - or @. Please start it with a letter.',
    control: 'Your name contains a line break or an invisible control character. Write it on one line.',
    bidi: 'Your name contains invisible text-direction characters (they can make text display in a misleading order). Please type it again without copying from elsewhere.',
    invisible:
      'Your name contains invisible characters (such as zero-width spaces). Please type it again without copying from elsewhere.',
    placeholder: (name: string) =>
      `"${name}" looks like an example, not a real name. Write the name you want shown on the letter.`,
  },
  country: {
    missing:
      'Your country or territory is empty. Write it in any language, or as a two-letter code such as RU, CN or DE.',
    unknown: (typed: string) =>
      `We could not recognise "${typed}" as a country or territory. Write its name in English (for example "Germany") or its two-letter code (for example "DE").`,
  },
  reason: {
    tooLong: (max: number, actual: number) =>
      `Your reason is ${actual} characters long; it can be at most ${max}. Please shorten it.`,
    control: 'Your reason contains invisible control characters. Please type it again without copying from elsewhere.',
    bidi: 'Your reason contains invisible text-direction characters. Please type it again without copying from elsewhere.',
    invisible:
      'Your reason contains invisible characters (such as zero-width spaces). Please type it again without copying from elsewhere.',
  },
  consent: {
    missing:
      'The consent box is not ticked. Your signature is only published with your consent: tick the box "I agree that my GitHub username … are published" when you edit the issue.',
  },
  withdrawal: {
    notConfirmed:
      'The confirmation box is not ticked. Edit this issue and tick "I want to withdraw my signature" to withdraw.',
  },
} as const;

/** Hidden marker that identifies the bot's one comment on an issue, so later runs update it in place. */
export const BOT_COMMENT_MARKER = '<!-- petition-bot:receipt -->';
