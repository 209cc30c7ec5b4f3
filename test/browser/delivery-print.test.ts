/**
 * The delivery pages as a reader prints them, in a real browser (Debian's Chromium through
 * playwright-core) with print media emulated and the reader's screen in dark mode: the print
 * stylesheet's own rules take effect, the table header repeats, the date and the historical note
 * are on paper, and colours are light.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { buildSite } from '../helpers/site.ts';

const PREFIX = '/amur-leopard/';
let work: string;
let output: string;
let site: StaticSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'petition-print-'));
  await writeSignatureFiles(work, generateSampleRecords(250, { seed: 8 }));
  const [built, launched] = await Promise.all([
    buildSite({ signaturesDir: work, settings: { delivery_volume_size: 100 }, env: { PATH_PREFIX: PREFIX } }),
    launchBrowser(),
  ]);
  output = built.output;
  site = await serveStatic(output, PREFIX);
  browser = launched;
  page = await browser.newPage();
  await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await rm(work, { recursive: true, force: true });
  if (output) await rm(path.dirname(output), { recursive: true, force: true });
});

const style = (selector: string, property: string, pseudo?: string) =>
  page.$eval(selector, (element, [name, after]) => getComputedStyle(element, after || null).getPropertyValue(name!), [
    property,
    pseudo,
  ] as const);

describe('a printed volume of signatures', () => {
  beforeAll(async () => {
    await page.goto(`${site.url}letter/delivery/2/`);
    // The rows are drawn from the open data, as a reader's browser draws them before printing.
    await page.locator('table.delivery-list:not([aria-busy]) tbody tr').first().waitFor();
  });

  it('uses the print size for the table (8.5 pt), not the screen size of its cells', async () => {
    expect(parseFloat(await style('.delivery-list tbody td:nth-child(2)', 'font-size'))).toBeCloseTo((8.5 * 4) / 3, 2);
  });

  it('repeats the table header on every page and keeps rows whole', async () => {
    expect(await style('.delivery-list thead', 'display')).toBe('table-header-group');
    expect(await style('.delivery-list tbody tr', 'break-inside')).toBe('avoid');
  });

  it('prints its date, its ranks and the historical note, and hides the site navigation', async () => {
    expect(await page.isVisible('.as-of time')).toBe(true);
    expect(await page.textContent('.as-of')).toMatch(
      /Signatures 101–200 of 250, oldest first\. Data as of \d+ \w+ \d{4}/,
    );
    expect(await page.isVisible('.dated-note')).toBe(true);
    expect(await page.textContent('.dated-note')).toMatch(
      /written about 2008–2012.*Both recipients have since left office/s,
    );
    expect(await page.isVisible('.site-header')).toBe(false);
    expect(await page.isVisible('.pager')).toBe(false);
    expect(await page.isVisible('#list-note')).toBe(false);
  });

  it('is black on white even when the reader’s screen is dark', async () => {
    expect(await style('body', 'background-color')).toBe('rgb(255, 255, 255)');
    expect(await style('body', 'color')).toBe('rgb(0, 0, 0)');
    expect(await style('.dated-note', 'background-color')).toBe('rgb(243, 237, 228)');
    expect(await style('.delivery-list td', 'color')).toBe('rgb(68, 68, 68)');
  });

  it('says on paper that its rows are still loading when printed before they are drawn, in the page language', async () => {
    const early = await browser.newPage();
    try {
      await early.emulateMedia({ media: 'print' });
      // The open data's parts never come: the volume stays as a reader on a slow link finds it.
      await early.route(/\/data\/signatures\//, () => {});
      await early.goto(`${site.url}ru/letter/delivery/2/`);
      await early.locator('table.delivery-list[aria-busy]').waitFor();
      const region = early.locator('.table-scroll');
      const message = await region.getAttribute('data-print-early');
      expect(message).toMatch(/[а-я]/);
      const before = () => region.evaluate((element) => getComputedStyle(element, '::before').content);
      expect(await before()).toBe(JSON.stringify(message));
      await early.unrouteAll({ behavior: 'ignoreErrors' });
      await early.goto(`${site.url}ru/letter/delivery/2/`);
      await early.locator('table.delivery-list:not([aria-busy]) tbody tr').first().waitFor();
      expect(await before()).toBe('none');
    } finally {
      await early.close();
    }
  });
});

describe('the printed delivery page', () => {
  beforeAll(async () => {
    await page.goto(`${site.url}letter/delivery/`);
  });

  it('prints the sender and the contact', async () => {
    expect(await page.textContent('.sender')).toBe(
      'From: The organisers of “Save the Amur Leopard” (https://github.com/petition-as-code/amur-leopard)',
    );
  });

  it('lists the volumes rather than every signature, so it stays small', async () => {
    const volumes = await page.$$eval('.volumes a', (anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(volumes).toEqual([
      `${PREFIX}letter/delivery/1/`,
      `${PREFIX}letter/delivery/2/`,
      `${PREFIX}letter/delivery/3/`,
    ]);
    expect(await page.$$eval('table.delivery-list', (tables) => tables.length)).toBe(0);
  });
});
