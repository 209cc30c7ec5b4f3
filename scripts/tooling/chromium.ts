/**
 * The Chromium that the browser tests and the Lighthouse audit drive: Debian's, or any other
 * through CHROME_PATH (GitHub's runners have Google Chrome).
 */
import { access, constants } from 'node:fs/promises';
import { CHROMIUM_INSTALL_HINT } from './install-hints.ts';

/** Where the browser is. */
export const chromiumPath = (): string => process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * No network here, and none wanted: without the background-networking flags Chromium keeps
 * trying to reach Google's hosts, and as root it needs --no-sandbox.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Why the browser cannot be used, with what to install and where CHROME_PATH goes; undefined
 * when the executable exists.
 */
export async function missingChromiumMessage(executable = chromiumPath()): Promise<string | undefined> {
  const found = await access(executable, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (found) return undefined;
  const source = process.env.CHROME_PATH ? 'CHROME_PATH names' : 'The browser tests look for Chromium at';
  return `${source} ${executable}, which is not an executable file. ${CHROMIUM_INSTALL_HINT}`;
}
