/**
 * Collections of update posts per language. A post is a Markdown file in content/updates/ (the
 * default language) or content/<code>/updates/ (a translation, the same file name). Each language's
 * list shows its own posts and, for an original not yet translated into it, the original, marked.
 */
import type { SiteLanguage } from './languages.ts';

interface Post {
  url: string;
  date: Date;
  fileSlug?: string;
  page?: { fileSlug?: string };
  data: { lang?: string; title?: string; summary?: string };
}

/** A list entry: the post itself, or an original standing in for a missing translation. */
export interface UpdateListItem {
  url: string;
  date: Date;
  data: Post['data'];
  untranslated: boolean;
}

const slugOf = (post: Post) => post.page?.fileSlug ?? post.fileSlug ?? post.url;

/** Each language's posts, oldest first, with originals standing in for missing translations. */
export function updatesFor(posts: readonly Post[], language: SiteLanguage, defaultLanguage: string): UpdateListItem[] {
  const own = posts.filter((post) => (post.data.lang ?? defaultLanguage) === language.code);
  const translated = new Set(own.map(slugOf));
  const stand_ins = language.isDefault
    ? []
    : posts.filter((post) => (post.data.lang ?? defaultLanguage) === defaultLanguage && !translated.has(slugOf(post)));
  return [
    ...own.map((post) => ({ url: post.url, date: post.date, data: post.data, untranslated: false })),
    ...stand_ins.map((post) => ({ url: post.url, date: post.date, data: post.data, untranslated: true })),
  ].sort((a, b) => a.date.getTime() - b.date.getTime());
}

/**
 * Registers, per language, `updates_<code>` (the list, with stand-ins) and `updatesFeed_<code>`
 * (the posts written in that language, for its feeds).
 */
// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function addUpdateCollections(eleventyConfig: any, languages: readonly SiteLanguage[]): void {
  const defaultLanguage = languages[0]!.code;
  const posts = (api: { getFilteredByTag(tag: string): Post[] }) => api.getFilteredByTag('updates');
  for (const language of languages) {
    eleventyConfig.addCollection(`updates_${language.code}`, (api: { getFilteredByTag(tag: string): Post[] }) =>
      updatesFor(posts(api), language, defaultLanguage),
    );
    eleventyConfig.addCollection(`updatesFeed_${language.code}`, (api: { getFilteredByTag(tag: string): Post[] }) =>
      posts(api).filter((post) => (post.data.lang ?? defaultLanguage) === language.code),
    );
  }
}
