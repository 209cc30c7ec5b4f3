/** Test helper: a built site's sitemaps as a search engine reads them, from the index down. */
import type { BuiltSite } from './site.ts';

const NAMESPACE = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"';

export interface Sitemaps {
  /** The index's sitemaps (absolute addresses), in its order. */
  sitemaps: string[];
  /** Every address of every sitemap, in order. */
  locations: string[];
  /** How many addresses each sitemap lists, by its address. */
  counts: Map<string, number>;
}

const locationsIn = (xml: string, element: 'sitemap' | 'url') =>
  [...xml.matchAll(new RegExp(`<${element}><loc>([^<]*)</loc></${element}>`, 'g'))].map((match) => match[1]!);

/**
 * Reads /sitemap.xml, which must be a sitemap index, and each sitemap it names, which must be a
 * file of the site under `base` (the site's address, ending in "/"). Throws, naming the file,
 * when one is not what a search engine expects.
 */
export async function readSitemaps(site: Pick<BuiltSite, 'read'>, base: string): Promise<Sitemaps> {
  const index = await site.read('sitemap.xml');
  if (!index.includes(`<sitemapindex ${NAMESPACE}>`) || !index.trimEnd().endsWith('</sitemapindex>'))
    throw new Error(`sitemap.xml is not a sitemap index:\n${index.slice(0, 500)}`);
  const sitemaps = locationsIn(index, 'sitemap');
  const locations: string[] = [];
  const counts = new Map<string, number>();
  for (const sitemap of sitemaps) {
    if (!sitemap.startsWith(base)) throw new Error(`sitemap.xml names ${sitemap}, not an address under ${base}`);
    const file = sitemap.slice(base.length);
    const xml = await site.read(file);
    if (!xml.includes(`<urlset ${NAMESPACE}>`) || !xml.trimEnd().endsWith('</urlset>'))
      throw new Error(`${file} is not a sitemap (a urlset):\n${xml.slice(0, 500)}`);
    const listed = locationsIn(xml, 'url');
    counts.set(sitemap, listed.length);
    locations.push(...listed);
  }
  return { sitemaps, locations, counts };
}
