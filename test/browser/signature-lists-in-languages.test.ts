/**
 * The list of signatures in Russian and Chinese: each language's list page frames the entries the
 * default language's page publishes once, and its script words countries, dates, receipts and
 * channels in the page's language; without JavaScript the page links to the shared entries. And
 * the one 404 page GitHub Pages serves answers in the language of the missing address.
 */
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { format } from '../../scripts/core/i18n.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { buildSite, projectRoot } from '../helpers/site.ts';

const PREFIX = '/petition/';
// One GitHub signature from Russia (issue 42), two on paper (Russia, China), one by email (Germany).
const MIXED = path.join(projectRoot, 'test/fixtures/signatures/mixed');
let browser: Browser;
let site: StaticSite;

beforeAll(async () => {
  const [served, launched] = await Promise.allSettled([
    buildSite({ signaturesDir: MIXED, env: { PATH_PREFIX: PREFIX } }).then((built) =>
      serveStatic(built.output, PREFIX),
    ),
    launchBrowser(),
  ]);
  if (served.status === 'fulfilled') site = served.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [served, launched]) if (result.status === 'rejected') throw result.reason;
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

const CASES = [
  {
    code: 'ru',
    receipt: 'квитанция #42',
    paper: 'на бумаге, пакет 2026-11-market',
    email: 'по электронной почте, пакет mail-2026-11',
    countries: ['Россия', 'Китай', 'Германия'],
    date: /^21 ноября 2026\s?г\.$/,
  },
  {
    code: 'zh',
    receipt: '回执 #42',
    paper: '纸质签名，批次 2026-11-market',
    email: '电子邮件签名，批次 mail-2026-11',
    countries: ['俄罗斯', '中国', '德国'],
    date: /^2026年11月21日$/,
  },
];

describe('the list of signatures in each language', () => {
  for (const expected of CASES)
    it(`shows every entry in ${expected.code} with countries, dates, receipts and channels in that language`, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${site.url}${expected.code}/signatures/1/`);
        const entries = page.locator('ol.signers > li');
        await expect.poll(() => entries.count()).toBe(4);
        const metas = await page.locator('ol.signers .signer-meta').allTextContents();
        const all = metas.join('\n');
        for (const country of expected.countries) expect(all).toContain(country);
        for (const english of ['receipt', 'on paper', 'by email', 'Russia', 'China', 'Germany', 'November'])
          expect(all).not.toContain(english);
        expect(await page.locator('ol.signers a').first().textContent()).toBe(expected.receipt);
        expect(await page.locator('ol.signers .signer-channel').allTextContents()).toEqual(
          expect.arrayContaining([expected.paper, expected.email]),
        );
        expect(await page.locator('#o-r8984d353ab3b833cea9e99f28497507dc2af5877 time').textContent()).toMatch(
          expected.date,
        );
        // The signers' own text is theirs: a name that looks like markup stays text.
        expect(await page.locator('ol.signers .signer-name').allTextContents()).toContain('<b>Li</b> {{ 7*7 }}');
        expect(await page.locator('ol.signers b').count()).toBe(0);
      } finally {
        await page.close();
      }
    });

  it('links to the shared entries when JavaScript is off, and its language switch keeps the list', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}zh/signatures/`);
      expect(await page.locator('#shared-list-note a').getAttribute('href')).toBe(`${PREFIX}signatures/1/`);
      await page.goto(`${site.url}signatures/1/`);
      expect(await page.locator('.language-switch a[hreflang="ru"]').getAttribute('href')).toBe(
        `${PREFIX}ru/signatures/1/`,
      );
    } finally {
      await context.close();
    }
  });

  it('answers a missing address in the language of its folder, and lists every language without JavaScript', async () => {
    const catalogs = await readCatalogs(projectRoot, 'en');
    const title = (code: string) =>
      format(
        catalogs.find((catalog) => catalog.language === code)!,
        ['site', 'not_found', 'title'],
        {},
      );
    const page = await browser.newPage();
    try {
      for (const code of ['ru', 'zh']) {
        const response = await page.goto(`${site.url}${code}/no-such-page/`);
        expect(response?.status()).toBe(404);
        expect(await page.locator('main h1').textContent()).toBe(title(code));
        expect(
          await page.locator('main h1').evaluate((heading) => heading.closest('[lang]')?.getAttribute('lang')),
        ).toBe(code);
        expect(await page.title()).toBe(title(code));
      }
      await page.goto(`${site.url}no-such-page/`);
      expect(await page.locator('main h1').textContent()).toBe(title('en'));
    } finally {
      await page.close();
    }
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}ru/no-such-page/`);
      const headings = await page.locator('main h1, main h2').allTextContents();
      expect(headings).toEqual(['en', 'ru', 'zh'].map(title));
    } finally {
      await context.close();
    }
  });
});
