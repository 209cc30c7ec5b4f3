import { describe, expect, it } from 'vitest';
import type { SiteLanguage } from '../../scripts/site/languages.ts';
import { listPages } from '../../scripts/site/list-pages.ts';
import { SITEMAP_URL_LIMIT, sitemapParts } from '../../scripts/site/sitemap.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { baseSettings } from '../helpers/site.ts';

const language = (code: string, isDefault: boolean): SiteLanguage => ({
  code,
  name: code,
  root: isDefault ? '/' : `/${code}/`,
  isDefault,
  locale: code,
});
const languages = [language('en', true), language('ru', false), language('zh', false)];
const pages = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `/signatures/${i + 1}/` }));

describe('the sitemaps of the numbered pages', () => {
  it('list every page in every language once, default language first, in page order', () => {
    const parts = sitemapParts(languages, pages(2));
    expect(parts).toEqual([
      {
        number: 1,
        url: '/sitemap-signatures-1.xml',
        locations: [
          '/signatures/1/',
          '/signatures/2/',
          '/ru/signatures/1/',
          '/ru/signatures/2/',
          '/zh/signatures/1/',
          '/zh/signatures/2/',
        ],
      },
    ]);
  });

  it('start a new file when one holds as many addresses as a sitemap may, and number the files from 1', () => {
    const parts = sitemapParts(languages, pages(3), 4);
    expect(parts.map((part) => [part.url, part.locations.length])).toEqual([
      ['/sitemap-signatures-1.xml', 4],
      ['/sitemap-signatures-2.xml', 4],
      ['/sitemap-signatures-3.xml', 1],
    ]);
    expect(parts.flatMap((part) => part.locations)).toEqual(sitemapParts(languages, pages(3))[0]!.locations);
  });

  it('keep ten million signatures in three languages within the protocol: more than one file, none over 50,000', () => {
    const { signatureListPages, deliveryVolumes } = listPages(10_000_000, resolveSettings(baseSettings));
    const parts = sitemapParts(languages, [...signatureListPages, ...deliveryVolumes]);
    const addresses = 3 * (signatureListPages.length + deliveryVolumes.length);
    expect(addresses).toBeGreaterThan(SITEMAP_URL_LIMIT);
    expect(parts.length).toBe(Math.ceil(addresses / SITEMAP_URL_LIMIT));
    for (const part of parts) expect(part.locations.length).toBeLessThanOrEqual(SITEMAP_URL_LIMIT);
    expect(new Set(parts.flatMap((part) => part.locations)).size).toBe(addresses);
  });

  it('refuse a limit that could hold no address, as a mistake in the code', () => {
    expect(() => sitemapParts(languages, pages(1), 0)).toThrow(/at least one address/);
  });
});
