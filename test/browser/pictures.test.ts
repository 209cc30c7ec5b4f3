/**
 * The pictures in a real browser (Debian's Chromium through playwright-core), on the real build
 * served under its path prefix with generated signatures: axe finds no accessibility violation in
 * either colour scheme, the count is the largest thing above the fold at every width, the map
 * names a country on keyboard focus without script, the pages fit 320 px, and the poster prints
 * on one page of A4 and of Letter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { axeViolations } from '../helpers/axe.ts';
import { launchBrowser, TabPool } from '../helpers/browser.ts';
import { buildSite } from '../helpers/site.ts';

const PREFIX = '/amur-leopard/';
const PAGES = [
  '',
  'signatures/countries/',
  'poster/',
  'how-it-works/',
  'letter/',
  'updates/what-has-happened-since/',
  'sign/',
];

let browser: Browser;
/** One context's tabs, resized for each visit: a new tab costs Chromium far more than a load. */
let tabs: TabPool;
let site: StaticSite;
const temporary: string[] = [];

beforeAll(async () => {
  const signatures = await mkdtemp(path.join(os.tmpdir(), 'petition-pictures-browser-'));
  temporary.push(signatures);
  await writeSignatureFiles(signatures, generateSampleRecords(1500, { seed: 5 }));
  const [built, launched] = await Promise.all([
    buildSite({ signaturesDir: signatures, env: { PATH_PREFIX: PREFIX } }),
    launchBrowser(),
  ]);
  temporary.push(path.dirname(built.output));
  browser = launched;
  tabs = new TabPool(await browser.newContext({ viewport: { width: 1280, height: 800 } }));
  site = await serveStatic(built.output, PREFIX);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** A tab of the pool `width` CSS pixels wide, the page loaded; give it back with `tabs.give`. */
async function open(url: string, options: { width: number }): Promise<Page> {
  const page = await tabs.take();
  await page.setViewportSize({ width: options.width, height: 800 });
  await page.goto(`${site.url}${url}`);
  return page;
}

describe('in both colour schemes', () => {
  it.each(PAGES)('axe finds no accessibility violation on /%s', async (url) => {
    const page = await open(url, { width: 1280 });
    expect(await axeViolations(page, `/${url}`)).toEqual([]);
    await tabs.give(page);
  });
});

describe('the count', () => {
  it.each([320, 768, 1280])('is the largest text above the fold at %i px, with the progress bar', async (width) => {
    for (const url of ['', 'sign/']) {
      const page = await open(url, { width });
      const found = await page.evaluate(() => {
        const count = document.querySelector('.count-number')!;
        const size = (element: Element) => Number.parseFloat(getComputedStyle(element).fontSize);
        const largestElse = Math.max(
          ...[...document.querySelectorAll('body *')]
            .filter((element) => !count.contains(element) && element.childNodes.length > 0)
            .filter((element) =>
              [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent!.trim()),
            )
            .map(size),
        );
        return {
          countSize: size(count),
          largestElse,
          countBottom: count.getBoundingClientRect().bottom,
          barBottom: document.querySelector('progress')!.getBoundingClientRect().bottom,
          viewport: window.innerHeight,
        };
      });
      expect(found.countSize, `${url} at ${width}px`).toBeGreaterThan(found.largestElse);
      expect(found.countBottom).toBeLessThan(found.viewport);
      expect(found.barBottom).toBeLessThan(found.viewport);
      await tabs.give(page);
    }
  });
});

describe('the world map', () => {
  it('names a country and its count when the keyboard reaches it, without script', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${site.url}signatures/countries/`);
    const first = page.locator('svg.world-map a').first();
    const label = first.locator('.map-label');
    await expect.poll(() => label.isVisible()).toBe(false);
    await first.focus();
    expect(await label.isVisible()).toBe(true);
    expect(await label.textContent()).toBe(await first.getAttribute('aria-label'));
    expect(await label.textContent()).toMatch(/^.+: [\d,]+ signatures?$/);
    await context.close();
  });
});

describe('at 320 CSS pixels', () => {
  it.each(['', 'signatures/countries/', 'poster/', 'how-it-works/'])(
    '/%s fits without horizontal scrolling',
    async (url) => {
      const page = await open(url, { width: 320 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await tabs.give(page);
    },
  );
});

describe('the poster', () => {
  it('prints on exactly one page of A4 and one of Letter, without the site’s menus', async () => {
    const page = await open('poster/', { width: 1280 });
    for (const format of ['A4', 'Letter']) {
      const pdf = (await page.pdf({ format })).toString('latin1');
      expect((pdf.match(/\/Type\s*\/Page(?!s)/g) ?? []).length, format).toBe(1);
    }
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.locator('.poster .qr-code').isVisible()).toBe(true);
    await tabs.give(page);
  });
});
