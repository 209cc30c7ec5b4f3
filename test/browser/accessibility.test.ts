/**
 * axe-core (the engine behind Lighthouse's accessibility audit, from npm) injected into every
 * page type of the real build, in Chromium, light and dark, at 320 and 1280 CSS pixels: a
 * phone held upright and a laptop. Every rule axe runs by default, best practices included
 * (landmark-unique, scrollable-region-focusable), must pass in the light scheme, and its colour
 * rules in the dark (every rule when the dark scheme moves a box: axeViolations).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptPages } from '../../scripts/site/receipt-pages.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { axeSource, axeViolations } from '../helpers/axe.ts';
import { launchBrowser, TabPool } from '../helpers/browser.ts';
import { FORM_PREFIX, SAMPLE_SIGNATURES, sampleSite } from '../helpers/shared-builds.ts';

const PREFIX = FORM_PREFIX;

const SIGNATURES = SAMPLE_SIGNATURES;

/** One page of each kind the site has; the list pages need several pages of signatures. */
const PAGES = [
  'index.html',
  'sign/',
  'letter/',
  'letter/delivery/',
  // A printable volume, its rows drawn from the open data like the list pages'.
  'letter/delivery/1/',
  'signatures/',
  'signatures/1/',
  'signatures/countries/',
  // A receipt page (scripts/site/receipt-pages.ts): the one of the first sample signer's id, and
  // the same in Chinese, where a Chinese signer's receipt leads.
  `signatures/find/${receiptPages(SIGNATURES)[0]!.key}/`,
  `zh/signatures/find/${receiptPages(SIGNATURES)[0]!.key}/`,
  'updates/',
  'updates/2026-11-24-what-has-happened-since/',
  'how-it-works/',
  'letter/versions/',
  'no-such-page/',
  // The translations: the same templates, other strings, other scripts (Cyrillic, Han).
  ...['ru/', 'zh/'].flatMap((language) =>
    [
      '',
      'sign/',
      'letter/',
      'letter/delivery/',
      'letter/delivery/1/',
      'signatures/2/',
      'signatures/countries/',
      'updates/',
      'how-it-works/',
      'poster/',
    ].map((page) => `${language}${page}`),
  ),
].map((page) => page.replace('index.html', ''));

let browser: Browser;
const sites: { open?: StaticSite; closed?: StaticSite } = {};

beforeAll(async () => {
  // Builds other files read too (test/helpers/shared-builds.ts).
  const build = (state: 'open' | 'closed') => sampleSite(state).then((site) => serveStatic(site.output, PREFIX));
  const [open, closed, launched] = await Promise.allSettled([build('open'), build('closed'), launchBrowser()]);
  if (open.status === 'fulfilled') sites.open = open.value;
  if (closed.status === 'fulfilled') sites.closed = closed.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [launched, open, closed]) if (result.status === 'rejected') throw result.reason;
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(Object.values(sites).map((site) => site.close()));
});

/** A phone held upright and a laptop; each page is checked in both colour schemes (axeViolations). */
const WIDTHS = [320, 1280] as const;

/** Every page of the open petition, and the closed petition's pages that differ most. */
const VISITS: ['open' | 'closed', string][] = [
  ...PAGES.map((page): ['open', string] => ['open', page]),
  ...['', 'signatures/', 'ru/', 'zh/sign/'].map((page): ['closed', string] => ['closed', page]),
];

describe('every page type, light and dark, at 320 and then 1280 px wide', () => {
  let context: BrowserContext;
  /** Tabs between visits: a tab navigated again keeps its renderer process; a new one starts another. */
  let tabs: TabPool;
  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: WIDTHS[0], height: 800 } });
    await context.addInitScript({ path: axeSource });
    tabs = new TabPool(context);
  });
  afterAll(() => context?.close());

  /**
   * axe at each width in turn, the page loaded once: the layout follows a resize as it follows
   * the width a page was loaded at (the site's CSS media queries; no script reads the width), and
   * a load costs Chromium more than the checks (docs/performance.md).
   */
  async function violationsAtEachWidth(tab: Page, where: string): Promise<string[]> {
    const found: string[] = [];
    for (const width of WIDTHS) {
      await tab.setViewportSize({ width, height: 800 });
      // No horizontal scrolling: a phone's reader never scrolls sideways to read a line.
      const scrollWidth = await tab.evaluate(() => document.documentElement.scrollWidth);
      if (scrollWidth > width) found.push(`${where} at ${width} px: ${scrollWidth} px wide, scrolls sideways`);
      found.push(...(await axeViolations(tab, `${where} at ${width} px`)));
    }
    return found;
  }

  // One test a page, several at once (vitest's maxConcurrency): axe's work happens in Chromium's
  // renderer processes, one per page, and a busy machine slows each page, not the whole sweep.
  it.concurrent.for(VISITS)(
    'has no accessibility violations that axe finds on the %s petition\'s page "/%s", light or dark, at either width',
    async ([state, page], { expect }) => {
      const url = `${sites[state]!.url}${page}`;
      const tab = await tabs.take();
      await tab.goto(url);
      // A list page or a volume is checked with its entries drawn from the open data, as a reader sees it.
      const drawn = 'ol.signers[data-part], table[data-volume]';
      if (await tab.locator(drawn).count()) await tab.locator(`:is(${drawn}):not([aria-busy])`).waitFor();
      const violations = await violationsAtEachWidth(tab, url);
      await tabs.give(tab);
      expect(violations).toEqual([]);
    },
  );

  it.each([
    ['', 'Continue to GitHub to sign', 'Error: '],
    ['ru/', 'Перейти на GitHub, чтобы подписать', 'Ошибка: '],
    ['zh/', '前往 GitHub 签名', '错误：'],
  ])(
    'has none on the sign form of "/%ssign/" while it shows errors in its language',
    async (language, button, error) => {
      const page = await tabs.take();
      await page.goto(`${sites.open!.url}${language}sign/`);
      await page.fill('#sign-country', 'Atlantis');
      await page.getByRole('button', { name: button }).click();
      await expect.poll(() => page.locator('#sign-name-error').textContent()).not.toBe('');
      expect(await page.title()).toMatch(new RegExp(`^${error}`));
      expect(await violationsAtEachWidth(page, `sign form with errors (${language || 'en'})`)).toEqual([]);
      await tabs.give(page);
    },
  );
});

describe('the checks themselves', () => {
  async function violationsOn(html: string): Promise<string> {
    const page = await browser.newPage();
    try {
      await page.setContent(html);
      return (await axeViolations(page, 'test page')).join('\n');
    } finally {
      await page.close();
    }
  }
  const htmlPage = (css: string, body: string) =>
    `<!doctype html><html lang="en"><title>x</title><style>${css}</style><main><h1>x</h1>${body}</main>`;

  it('find a violation when there is one', async () => {
    expect(await violationsOn('<!doctype html><html><title>x</title><body><img src="data:,">')).toMatch(
      /image-alt|html-has-lang/,
    );
  });

  it('find text that only the dark scheme makes unreadable', async () => {
    const html = htmlPage(
      '@media (prefers-color-scheme: dark) { p { color: #222; background: #111; } }',
      '<p>Sign</p>',
    );
    const found = await violationsOn(html);
    expect(found).toMatch(/\(dark\): color-contrast/);
    expect(found).not.toMatch(/\(light\)/);
  });

  it('run every rule in the dark when the dark scheme shows or moves something', async () => {
    // An image without a text alternative that only the dark scheme shows: not a colour rule.
    const html = htmlPage(
      'img { display: none; } @media (prefers-color-scheme: dark) { img { display: inline; } }',
      '<img src="data:,">',
    );
    expect(await violationsOn(html)).toMatch(/\(dark\): image-alt/);
  });
});
