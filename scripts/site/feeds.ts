/**
 * The updates' feeds: one Atom and one JSON feed per language, of the posts written in it
 * (/updates/feed.xml, /ru/updates/feed.xml), titled in that language from content/i18n/<code>.yml.
 */
import { feedPlugin, getNewestCollectionItemDate } from '@11ty/eleventy-plugin-rss';
import { format, type Catalog } from '../core/i18n.ts';
import type { SiteData } from './site-data.ts';

/** Registers the feeds; the collections they read are scripts/site/collections.ts's updatesFeed_<code>. */
export function addFeeds(
  // Eleventy ships no TypeScript types for its configuration object.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  data: SiteData,
  catalogs: readonly Catalog[],
): void {
  const { settings } = data;
  for (const language of data.languages) {
    const catalog = catalogs.find((candidate) => candidate.language === language.code)!;
    const title = data.petitions[language.code]!.title;
    const feedMetadata = {
      language: language.code,
      title: format(catalog, ['site', 'updates', 'feed_title'], { title }),
      subtitle: format(catalog, ['site', 'updates', 'feed_subtitle'], { title }),
      description: format(catalog, ['site', 'updates', 'feed_subtitle'], { title }),
      // The origin only: the plugin adds the path prefix itself, or project-site URLs come out doubled.
      base: `${settings.site_url}/`,
      author: { name: format(catalog, ['site', 'updates', 'feed_author'], { title }) },
    };
    for (const type of ['atom', 'json'])
      eleventyConfig.addPlugin(feedPlugin, {
        type,
        outputPath: `${language.root}updates/feed.${type === 'atom' ? 'xml' : 'json'}`,
        // Named by language: the plugin's default name comes from the title, which two languages
        // share until the new one's title is translated (npm run add-language), and two feeds of
        // one name stop the build.
        inputPath: `eleventy-plugin-feed-${language.code}-${type}.njk`,
        collection: { name: `updatesFeed_${language.code}`, limit: 0 },
        metadata: feedMetadata,
      });
  }
  // A feed without an update says it was updated when the site was built (SOURCE_DATE_EPOCH when
  // set), not when the page was drawn: the plugin's fallback is the clock, so two builds of one
  // commit differed. A plugin of our own, added after the feeds', so that its filter is the one kept.
  const built = new Date(data.tally.updated_at);
  eleventyConfig.addPlugin((config: { addNunjucksFilter(name: string, filter: unknown): void }) =>
    config.addNunjucksFilter('getNewestCollectionItemDate', (items: unknown, fallback?: Date) =>
      getNewestCollectionItemDate(items, fallback ?? built),
    ),
  );
}
