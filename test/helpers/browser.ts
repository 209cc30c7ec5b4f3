/** Test helper: the Chromium that browser tests drive, or a failure that says what to install. */
import { chromium, type Browser } from 'playwright-core';
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
