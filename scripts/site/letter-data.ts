/**
 * The letter as the templates see it: content/letter.md split into its parts, and each
 * language's letter and petition words (a translation's own, or the default language's).
 */
import matter from 'gray-matter';
import MarkdownIt from 'markdown-it';
import markdownItCjkFriendly from 'markdown-it-cjk-friendly';
import type { Settings } from '../core/settings.ts';
import { letterDigest } from '../core/tally.ts';
import { archivedLetterPath } from '../core/letter-archive.ts';
import type { SiteLanguage } from './languages.ts';

/** The letter's parts, for pages other than /letter/ itself (the delivery version). */
export interface LetterData {
  recipients: { office: string; name: string }[];
  demands: string[];
  bodyHtml: string;
  closingHtml: string;
  /** When the text was written, for an old letter kept as written ("about 2008–2012"). */
  written?: string;
  /** What has changed since about the recipients ("Both have since left office…"). */
  since?: string;
  /**
   * The letter's opening sentence (front matter `opening`): absent for the language file's tally
   * sentence ("We, the 1,204 undersigned from 31 countries, write to you:"), false for none, or
   * the letter's own sentence, an ICU message given {n} signatures and {countries}.
   */
  opening?: string | false;
}

/**
 * A Markdown renderer for our own text, never signer text. markdown-it-cjk-friendly lets ** and _
 * mark emphasis next to Chinese and Japanese punctuation (`**哪些内容会公开：**`), which
 * CommonMark's flanking rules otherwise leave as asterisks.
 */
export function createMarkdown(): ReturnType<typeof MarkdownIt> {
  return new MarkdownIt({ html: true, typographer: true }).use(markdownItCjkFriendly);
}

/**
 * The letter's renderer (content/letter.md and its versions). Never handed to Eleventy, which
 * changes the library it is given (it turns indented code blocks off): pages get one of their own
 * each build (scripts/site/eleventy-filters.ts), so a second build in one process renders the
 * letter as the first did.
 */
export const markdown = createMarkdown();

/** Splits content/letter.md into recipients, demands and rendered body and closing. */
export function parseLetter(letterText: string): LetterData {
  const { data, content } = matter(letterText, {});
  const recipients = Array.isArray(data.recipients) ? data.recipients : [];
  const demands = Array.isArray(data.demands) ? data.demands : [];
  if (recipients.length === 0 || demands.length === 0)
    throw new Error('content/letter.md needs "recipients" and "demands" in its front matter.');
  return {
    recipients,
    demands,
    bodyHtml: markdown.render(content),
    closingHtml: markdown.render(String(data.closing ?? '')),
    ...(data.opening === false ? { opening: false as const } : {}),
    ...(typeof data.opening === 'string' && data.opening.trim() ? { opening: data.opening.trim() } : {}),
    ...(typeof data.written === 'string' ? { written: data.written } : {}),
    ...(typeof data.since === 'string' ? { since: data.since } : {}),
  };
}

/** One language's letter: its own translation (content/<code>/letter.md) or, lacking one, the default's. */
export type LanguageLetter = LetterData & { sha256: string; translated: boolean; file: string; archive: string };

/** The petition's title and description, and the lead image's alt text and credit, in one language. */
export interface PetitionWords {
  title: string;
  description: string;
  imageAlt: string;
  imageCredit: string;
}

/**
 * Each language's letter and petition words. A translated home page's front matter (title,
 * description, image_alt, image_credit) overrides the settings' words, each on its own.
 */
export function languageLetters(
  settings: Settings,
  letterText: string,
  languages: readonly SiteLanguage[],
  translatedLetters: Record<string, string>,
  translatedHomes: Record<string, Record<string, unknown>> = {},
): {
  letter: LetterData;
  letterSha256: string;
  letters: Record<string, LanguageLetter>;
  petitions: Record<string, PetitionWords>;
} {
  const letter = parseLetter(letterText);
  const letterSha256 = letterDigest(letterText);
  const letters: Record<string, LanguageLetter> = {};
  const petitions: Record<string, PetitionWords> = {};
  for (const language of languages) {
    const home = language.isDefault ? {} : (translatedHomes[language.code] ?? {});
    petitions[language.code] = {
      title: typeof home.title === 'string' ? home.title : settings.title,
      description: typeof home.description === 'string' ? home.description : settings.description,
      imageAlt: typeof home.image_alt === 'string' ? home.image_alt : settings.image_alt,
      imageCredit: typeof home.image_credit === 'string' ? home.image_credit : settings.image_credit,
    };
    const translation = language.isDefault ? undefined : translatedLetters[language.code];
    letters[language.code] = translation
      ? {
          ...parseLetter(translation),
          sha256: letterDigest(translation),
          translated: true,
          file: `content/${language.code}/letter.md`,
          archive: archivedLetterPath(language.code, letterDigest(translation)),
        }
      : {
          ...letter,
          sha256: letterSha256,
          translated: false,
          file: 'content/letter.md',
          archive: archivedLetterPath(settings.language, letterSha256),
        };
  }
  return { letter, letterSha256, letters, petitions };
}
