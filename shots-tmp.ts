import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath } from './scripts/tooling/chromium.ts';
import { serveStatic } from './scripts/tooling/static-server.ts';
const pages = process.argv.slice(2);
const site = await serveStatic('/tmp/wl-site', '/');
const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS] });
try {
  for (const width of [320, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    for (const p of pages) {
      await page.goto(site.url + p, { waitUntil: 'load' });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      const name = `/tmp/wl-shots/${p.replace(/\//g, '_') || 'home'}-${width}.png`;
      await page.addStyleTag({ content: '* { content-visibility: visible !important; }' });
      // Lazy pictures and content-visibility: bring every part into view once before the shots.
      await page.evaluate(async () => {
        for (let y = 0; y < document.documentElement.scrollHeight; y += 400) {
          window.scrollTo(0, y);
          await new Promise((resolve) => setTimeout(resolve, 30));
        }
        window.scrollTo(0, 0);
      });
      await page.waitForLoadState('networkidle');
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      const step = width === 320 ? 1100 : 900;
      const names = [];
      for (let y = 0, i = 0; y < height; y += step, i += 1) {
        const file = name.replace('.png', `-${i}.png`);
        await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y, width, height: Math.min(step, height - y) } });
        names.push(file);
      }
      console.log(name, 'overflow', overflow, 'parts', names.length);
    }
    await context.close();
  }
} finally { await browser.close(); await site.close(); }
