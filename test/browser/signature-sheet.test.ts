/**
 * The printable signature sheet in a real browser: it prints on A4 and on US Letter, with the
 * whole table across the page and every row whole.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { emptyFormSite, FORM_PREFIX } from '../helpers/shared-builds.ts';

const PREFIX = FORM_PREFIX;
let browser: Browser;
let site: StaticSite;
const temporary: string[] = [];

beforeAll(async () => {
  const [built, launched] = await Promise.all([
    // The sign form's open build (test/helpers/shared-builds.ts): the sheet is one of its pages.
    emptyFormSite(),
    launchBrowser(),
  ]);
  temporary.push(path.dirname(built.output));
  browser = launched;
  site = await serveStatic(built.output, PREFIX);
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('the printable signature sheet', () => {
  for (const format of ['A4', 'Letter'] as const) {
    it(`prints on ${format} with the table inside the page and the screen-only parts left out`, async () => {
      const page = await browser.newPage();
      try {
        await page.goto(`${site.url}sheet/`);
        await page.emulateMedia({ media: 'print' });
        // The printable width: the paper less the 12 mm margins of @page, at 96 CSS px an inch.
        const widthInches = format === 'A4' ? 210 / 25.4 : 8.5;
        await page.setViewportSize({ width: Math.floor((widthInches - (2 * 12) / 25.4) * 96), height: 1000 });
        const layout = await page.evaluate(() => {
          const table = document.querySelector('.sheet-table')!;
          return {
            tableWidth: table.getBoundingClientRect().width,
            pageWidth: document.documentElement.clientWidth,
            intro: getComputedStyle(document.querySelector('.paper-sheet .no-print')!).display,
            qr: document.querySelector('.sheet-qr svg')!.getBoundingClientRect().width,
          };
        });
        expect(layout.tableWidth).toBeLessThanOrEqual(layout.pageWidth);
        expect(layout.intro).toBe('none');
        expect(layout.qr).toBeGreaterThan(90); // about 2.5 cm: a phone reads it from arm's length
        const pdf = await page.pdf({ format, preferCSSPageSize: false });
        const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
        expect(pages).toBeGreaterThanOrEqual(1);
        expect(pages).toBeLessThanOrEqual(2);
      } finally {
        await page.close();
      }
    });
  }
});
