/**
 * The page filters that are not about the page's language (those are scripts/site/languages.ts),
 * and the Markdown library pages and `markdownify` share.
 */
import { isoDate, makeAbsoluteUrl } from '../core/format.ts';
import { defaultSender } from '../core/settings.ts';
import { formatContentMessage } from '../core/i18n.ts';
import { recipientLine } from '../core/letter.ts';
import { createMarkdown } from './letter-data.ts';
import type { SiteData } from './site-data.ts';

/**
 * Registers `isoDate`, `recipientLine`, `openingSentence`, `defaultSender`, `absolute`,
 * `markdownify` and `encodeUri`, and our Markdown renderer for .md pages.
 */
export function addPageFilters(
  // Eleventy ships no TypeScript types for its configuration object.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  data: Pick<SiteData, 'languages' | 'site'>,
): void {
  eleventyConfig.addFilter('isoDate', isoDate);
  // "Mayor of Riverside, Jane Doe", or one part alone: an institution has no personal name.
  eleventyConfig.addFilter('recipientLine', recipientLine);
  // A letter's own opening sentence (front matter `opening`), an ICU message, in the page's language.
  eleventyConfig.addFilter(
    'openingSentence',
    function (
      this: { ctx?: { lang?: unknown; language?: { code?: unknown } }; page?: { inputPath?: string } },
      source: string,
      values: Record<string, number>,
    ) {
      const code = this.ctx?.language?.code ?? this.ctx?.lang;
      const language = data.languages.find((candidate) => candidate.code === code) ?? data.languages[0]!;
      const where = `${String(this.page?.inputPath ?? 'content/letter.md').replace(/^\.\//, '')}: opening`;
      return formatContentMessage(source, language.locale, values, where);
    },
  );
  eleventyConfig.addFilter('defaultSender', defaultSender);
  eleventyConfig.addFilter('absolute', makeAbsoluteUrl(data.site.baseUrl));
  // The pages' own renderer, made each build: Eleventy changes the library it is given (indented
  // code blocks off), and the letter's renderer (letter-data.ts) must not change under a later build.
  const markdown = createMarkdown();
  eleventyConfig.addFilter('markdownify', (value: string) => markdown.render(value ?? ''));
  eleventyConfig.setLibrary('md', markdown);
  eleventyConfig.addFilter('encodeUri', (value: string) => encodeURIComponent(value));
}
