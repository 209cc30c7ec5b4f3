/**
 * The Chromium that the browser tests and the Lighthouse audit drive: Debian's, or any other
 * through CHROME_PATH (GitHub's runners have Google Chrome).
 */

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
