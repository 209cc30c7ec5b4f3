/**
 * What to install when a tool the tests or scripts need is missing, in one place so that every
 * message and the README say the same.
 */

/** How to get Java for the Nu HTML checker. */
export const JAVA_INSTALL_HINT =
  'Install a Java runtime (11 or newer). Debian/Ubuntu: `sudo apt-get update && sudo apt-get install -y default-jre-headless` ' +
  '(as root, without sudo). macOS: `brew install openjdk`. Windows: `winget install Microsoft.OpenJDK.21`. ' +
  'Then check that `java -version` works in the same shell.';

/** How to get Chromium for the browser tests and the Lighthouse audit. */
export const CHROMIUM_INSTALL_HINT =
  'Install Chromium. Debian/Ubuntu: `sudo apt-get update && sudo apt-get install -y chromium` (as root, without sudo; ' +
  'on Ubuntu the package is a snap, so prefer Google Chrome). Or point CHROME_PATH at any Chrome or Chromium, in the ' +
  'environment of the command: `CHROME_PATH=/path/to/chrome npm test`. macOS: ' +
  '`CHROME_PATH="/Applications/Google Chrome.app/Contents/MacOS/Google Chrome" npm test`. Windows (PowerShell): ' +
  '`$env:CHROME_PATH="C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"; npm test`.';
