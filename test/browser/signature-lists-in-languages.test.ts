/**
 * The list of signatures in every language: each list page is drawn in the browser from the open
 * data's part of the page, with the entries the server's markup describes (scripts/site/
 * signer-html.ts) and countries, dates, receipts and channels in the page's language; without
 * JavaScript or DecompressionStream the page links the part. The printable volumes are drawn the
 * same way, row for row as the server's markup. And the one 404 page GitHub Pages serves answers
 * in the language of the missing address.
 */
import { gunzipSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { launchBrowser, TabPool } from '../helpers/browser.ts';
import { format } from '../../scripts/core/i18n.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { loadSiteData } from '../../scripts/site/load-site-data.ts';
import { recordOfRank, volumeRowsHtml } from '../../scripts/site/bulk-pages.ts';
import { signerHtmlRenderer } from '../../scripts/site/signer-html.ts';
import { CSV_HEADER, csvParts } from '../../scripts/site/open-data.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { FORM_PREFIX, MIXED_SIGNATURES, mixedSite } from '../helpers/shared-builds.ts';

const PREFIX = FORM_PREFIX;
// One GitHub signature from Russia (issue 42), two on paper (Russia, China), one by email (Germany).
const MIXED = MIXED_SIGNATURES;
let browser: Browser;
/** Tabs with JavaScript and without, loaded again for each test (a new tab costs far more). */
let scripted: TabPool;
let plain: TabPool;
let site: StaticSite;

beforeAll(async () => {
  const [served, launched] = await Promise.allSettled([
    // Built under FORM_PREFIX at a fixed clock: a build test/site/path-prefix.test.ts reads too.
    mixedSite().then((built) => serveStatic(built.output, PREFIX)),
    launchBrowser(),
  ]);
  if (served.status === 'fulfilled') site = served.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [served, launched]) if (result.status === 'rejected') throw result.reason;
  scripted = new TabPool(await browser.newContext());
  plain = new TabPool(await browser.newContext({ javaScriptEnabled: false }));
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/**
 * Every node of an entry as [name, attributes, text], the same in Chromium and linkedom: what a
 * reader and a screen reader get, whatever the serialiser's escaping.
 */
function shape(node: Node): unknown {
  if (node.nodeType === 3) return node.textContent;
  const element = node as Element;
  const attributes = [...element.attributes].map((a) => `${a.name}=${a.value}`).sort();
  // Adjacent text nodes as one (a parser may split text at character references).
  const children: unknown[] = [];
  for (const child of [...element.childNodes].map(shape))
    if (typeof child === 'string' && typeof children.at(-1) === 'string') children.push(`${children.pop()}${child}`);
    else children.push(child);
  return [element.tagName.toLowerCase(), attributes, children];
}

/** The entries the page drew, as shapes; the tabindex a receipt link's landing adds left out. */
async function drawnEntries(page: Page): Promise<unknown[]> {
  await page.locator('ol.signers[data-part]:not([aria-busy])').waitFor();
  return page.evaluate(
    `[...document.querySelectorAll('ol.signers > li')].map((li) => (${shape.toString()})(li))`,
  ) as Promise<unknown[]>;
}

/** The fixture's entries as the server's markup writes them (newest first), as shapes. */
async function serverEntries(): Promise<unknown[]> {
  const { bulk } = await loadSiteData({ SIGNATURES_DIR: MIXED }, await petitionProject('amur-leopard'), () => {});
  const render = signerHtmlRenderer(bulk.html);
  let html = '';
  for (let rank = bulk.newest.length; rank >= 1; rank -= 1) html += render.listItem(recordOfRank(bulk, rank));
  const { document } = parseHTML(`<!doctype html><html><body><ol>${html}</ol></body></html>`);
  return [...document.querySelectorAll('ol > li')].map((li) => shape(li as unknown as Node));
}

describe('the list drawn from the open data', () => {
  it('shows every entry in the default language exactly as the server wrote it: text, ids, links and lang', async () => {
    const want = await serverEntries();
    expect(want).toHaveLength(4);
    const page = await scripted.take();
    try {
      await page.goto(`${site.url}signatures/1/`);
      expect(await drawnEntries(page)).toEqual(want);
      // The loaded list is announced politely, in the live region the no-JavaScript note was.
      const note = page.locator('#list-note[role="status"]');
      expect(await note.textContent()).toBe(await page.locator('ol.signers').getAttribute('data-loaded'));
    } finally {
      await scripted.give(page);
    }
  });

  it('shows the same entries in ru and zh: ids, names, reasons, receipt links and lang as the default language', async () => {
    const want = (await serverEntries()) as [string, string[], unknown[]][];
    const page = await scripted.take();
    try {
      for (const code of ['ru', 'zh']) {
        await page.goto(`${site.url}${code}/signatures/1/`);
        const drawn = (await drawnEntries(page)) as [string, string[], unknown[]][];
        expect(drawn.map((entry) => entry[1])).toEqual(want.map((entry) => entry[1]));
        // Name (the first child) and reason (the last, when there is one) are the signers' own text.
        expect(drawn.map((entry) => [entry[2][0], entry[2].length > 3 ? entry[2].at(-1) : null])).toEqual(
          want.map((entry) => [entry[2][0], entry[2].length > 3 ? entry[2].at(-1) : null]),
        );
        const hrefs = (shapes: unknown) => JSON.stringify(shapes).match(/"href=[^"]*"/g);
        expect(hrefs(drawn)).toEqual(hrefs(want));
        expect(hrefs(want)).toHaveLength(1);
        expect(await page.locator('html').getAttribute('lang')).toBe(code);
      }
    } finally {
      await scripted.give(page);
    }
  });

  it('says why there is no list and links the data, without JavaScript in every language', async () => {
    const page = await plain.take();
    try {
      for (const root of ['', 'ru/', 'zh/']) {
        await page.goto(`${site.url}${root}signatures/1/`);
        expect(await page.locator('ol.signers > li').count()).toBe(0);
        const links = await page.locator('#list-note a').evaluateAll((all) => all.map((a) => a.getAttribute('href')));
        expect(links).toEqual([`${PREFIX}data/signatures/1.csv.gz`]);
      }
      const note = async (code: string) => {
        await page.goto(`${site.url}${code}signatures/1/`);
        return page.locator('#list-note').textContent();
      };
      expect(new Set([await note(''), await note('ru/'), await note('zh/')]).size).toBe(3);
      // The data holds the page's rows.
      const { bulk } = await loadSiteData({ SIGNATURES_DIR: MIXED }, await petitionProject('amur-leopard'), () => {});
      const part = await page.request.get(`${site.url}data/signatures/1.csv.gz`);
      const rows = [...csvParts(bulk.newest.length, (rank) => recordOfRank(bulk, rank), bulk.perPage)][0]!.rows;
      expect(gunzipSync(await part.body()).toString('utf8')).toBe(CSV_HEADER + rows);
    } finally {
      await plain.give(page);
    }
  });

  it('keeps the note and its links where the browser cannot unpack the data, and says so when the data cannot be fetched', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.addInitScript('delete window.DecompressionStream');
      await page.goto(`${site.url}ru/signatures/1/`);
      await page.waitForLoadState('load');
      expect(await page.locator('ol.signers > li').count()).toBe(0);
      expect(await page.locator('#list-note a').count()).toBe(1);
      const failing = await scripted.take();
      await failing.route('**/data/signatures/1.csv.gz', (route) => route.fulfill({ status: 404, body: '' }));
      await failing.goto(`${site.url}zh/signatures/1/`);
      const alert = failing.locator('[role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe(await failing.locator('ol.signers').getAttribute('data-failed'));
      expect(await failing.locator('ol.signers').getAttribute('aria-busy')).toBeNull();
      await scripted.give(failing);
    } finally {
      await context.close();
    }
  });
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

/** A volume's rows as [id, each cell's attributes and text]: the same whatever whitespace the markup has between rows. */
function rowShapes(rows: Iterable<Element>): unknown[] {
  return [...rows].map((row) => [
    row.id,
    [...row.children].map((cell) => [
      [...cell.attributes].map((a) => `${a.name}=${a.value}`).sort(),
      cell.textContent?.trim(),
    ]),
  ]);
}

describe('the printable volume drawn from the open data', () => {
  it('shows every row exactly as the server wrote it: ranks, names as text, countries, dates and channels', async () => {
    const { bulk } = await loadSiteData({ SIGNATURES_DIR: MIXED }, await petitionProject('amur-leopard'), () => {});
    const { document } = parseHTML(
      `<!doctype html><html><body><table><tbody>${volumeRowsHtml(bulk, 1)}</tbody></table>`,
    );
    const want = rowShapes(document.querySelectorAll('tbody > tr') as unknown as Iterable<Element>);
    expect(want).toHaveLength(4);
    const page = await scripted.take();
    try {
      await page.goto(`${site.url}letter/delivery/1/#r1`);
      await page.locator('table.delivery-list:not([aria-busy])').waitFor();
      const drawn = await page.evaluate(
        `(${rowShapes.toString()})(document.querySelectorAll('.delivery-list tbody > tr'))`,
      );
      expect(drawn).toEqual(want);
      expect(await page.locator('.delivery-list b').count()).toBe(0);
      // A link to a row (a list page's note names it) lands on it once drawn.
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('r1');
      expect(await page.locator('#list-note').textContent()).toBe(
        await page.locator('.delivery-list').getAttribute('data-loaded'),
      );
    } finally {
      await scripted.give(page);
    }
  });

  it("links the open data's part without JavaScript, and says so when the part cannot be fetched", async () => {
    const page = await plain.take();
    try {
      await page.goto(`${site.url}letter/delivery/1/`);
      expect(await page.locator('.delivery-list tbody tr').count()).toBe(0);
      expect(await page.locator('#list-note a').evaluateAll((all) => all.map((a) => a.getAttribute('href')))).toEqual([
        `${PREFIX}data/signatures/1.csv.gz`,
      ]);
    } finally {
      await plain.give(page);
    }
    const failing = await scripted.take();
    try {
      await failing.route('**/data/signatures/1.csv.gz', (route) => route.fulfill({ status: 404, body: '' }));
      await failing.goto(`${site.url}letter/delivery/1/`);
      const alert = failing.locator('[role="alert"]');
      await alert.waitFor();
      expect(await alert.textContent()).toBe(await failing.locator('.delivery-list').getAttribute('data-failed'));
      expect(await failing.locator('.delivery-list tbody tr').count()).toBe(0);
    } finally {
      await scripted.give(failing);
    }
  });
});

describe('the list of signatures in each language', () => {
  for (const expected of CASES)
    it(`shows every entry in ${expected.code} with countries, dates, receipts and channels in that language`, async () => {
      const page = await scripted.take();
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
        await scripted.give(page);
      }
    });

  it('keeps the list when the language switch is followed without JavaScript', async () => {
    const page = await plain.take();
    try {
      await page.goto(`${site.url}signatures/1/`);
      expect(await page.locator('.language-switch a[hreflang="ru"]').getAttribute('href')).toBe(
        `${PREFIX}ru/signatures/1/`,
      );
    } finally {
      await plain.give(page);
    }
  });

  it('answers a missing address in the language of its folder, and lists every language without JavaScript', async () => {
    // The fixture's strings: the site under test is built from it, not from content/.
    const catalogs = await readCatalogs(await petitionProject('amur-leopard'), 'en');
    const title = (code: string) =>
      format(
        catalogs.find((catalog) => catalog.language === code)!,
        ['site', 'not_found', 'title'],
        {},
      );
    const page = await scripted.take();
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
      await scripted.give(page);
    }
    const withoutScript = await plain.take();
    try {
      await withoutScript.goto(`${site.url}ru/no-such-page/`);
      const headings = await withoutScript.locator('main h1, main h2').allTextContents();
      expect(headings).toEqual(['en', 'ru', 'zh'].map(title));
    } finally {
      await plain.give(withoutScript);
    }
  });
});
