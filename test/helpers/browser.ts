/** Test helper: the Chromium that browser tests drive, or a failure that says what to install. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, chromiumPath, missingChromiumMessage } from '../../scripts/tooling/chromium.ts';
import { CHROMIUM_INSTALL_HINT } from '../../scripts/tooling/install-hints.ts';

/**
 * Launches headless Chromium with the project's flags. Throws, naming what to install and where
 * CHROME_PATH goes, when there is no browser or it does not start.
 */
export async function launchBrowser(): Promise<Browser> {
  const missing = await missingChromiumMessage();
  if (missing) throw new Error(missing);
  try {
    return await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS] });
  } catch (error) {
    throw new Error(
      `Chromium at ${chromiumPath()} did not start: ${(error as Error).message}\n${CHROMIUM_INSTALL_HINT}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Tabs of one browser context, handed out again instead of opened anew. Opening a tab and
 * loading a page cost Chromium 1.0–1.2 s of CPU here (two renderer processes) against 0.3–0.7 s
 * to load it in an open tab, and the test run is CPU-bound on two cores (docs/performance.md,
 * "Tabs kept"). For contexts with the default colour scheme and media: `give` undoes what a test
 * may have set on its tab.
 */
export class TabPool {
  readonly #idle: Page[] = [];
  readonly #context: BrowserContext;
  /** The context's viewport, as its first tab had it. */
  #viewport: { width: number; height: number } | null = null;

  constructor(context: BrowserContext) {
    this.#context = context;
  }

  /** An idle tab of the context, or a new one when every tab is in use. */
  async take(): Promise<Page> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const page = await this.#context.newPage();
    this.#viewport ??= page.viewportSize();
    return page;
  }

  /**
   * Puts a tab back for the next test as a new one would start: on a blank page (the last page's
   * scripts stopped, and the next load of the same address with another #fragment a load, not a
   * jump), no routes, the context's viewport, no emulated colour scheme or print media. A test
   * that fails before giving its tab back leaves it open until the context closes.
   */
  async give(page: Page): Promise<void> {
    await page.goto('about:blank');
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.emulateMedia({ media: null, colorScheme: null });
    const size = page.viewportSize();
    if (this.#viewport && (size?.width !== this.#viewport.width || size.height !== this.#viewport.height))
      await page.setViewportSize(this.#viewport);
    this.#idle.push(page);
  }
}
