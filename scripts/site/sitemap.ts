/**
 * The sitemaps of the pages that grow with the signatures: every language's numbered list pages
 * and printable volumes, cut into files the sitemap protocol accepts. /sitemap.xml is an index
 * (content/sitemap.njk) that names /sitemap-pages.xml (the site's other pages) and these.
 */
import { localisedPath, type SiteLanguage } from './languages.ts';

/**
 * The most URLs one sitemap may list (sitemaps.org; search engines refuse a bigger file whole).
 * The protocol's other bound, 50 MB, is 1,000 bytes a URL: ours are about a tenth of that.
 */
export const SITEMAP_URL_LIMIT = 50_000;

/** One sitemap file of numbered pages: /sitemap-signatures-<number>.xml. */
export interface SitemapPart {
  number: number;
  url: string;
  /** Addresses from the site's root, in each language's page order. */
  locations: string[];
}

/**
 * The numbered list pages and the printable volumes in every language (default first; in each,
 * the list pages, then the volumes), in files of at most `limit` addresses. Always one file at
 * least: the list has a first page even before anyone signs. The sitemap must sit at the site's
 * root to list addresses outside its own folder (the protocol's rule), hence the file names.
 */
export function sitemapParts(
  languages: readonly SiteLanguage[],
  pages: readonly { url: string }[],
  limit = SITEMAP_URL_LIMIT,
): SitemapPart[] {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new Error(`A sitemap must hold at least one address, not ${limit}.`);
  const parts: SitemapPart[] = [];
  let current: SitemapPart | undefined;
  for (const language of languages)
    for (const page of pages) {
      if (!current || current.locations.length === limit) {
        current = { number: parts.length + 1, url: `/sitemap-signatures-${parts.length + 1}.xml`, locations: [] };
        parts.push(current);
      }
      current.locations.push(localisedPath(page.url, language));
    }
  return parts;
}
