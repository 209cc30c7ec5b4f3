/**
 * The test helpers must tell the truth: a check that cannot run fails with what to install, and
 * nothing a test starts outlives it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingChromiumMessage } from '../../scripts/tooling/chromium.ts';
import { launchBrowser, TabPool } from '../helpers/browser.ts';
import { OWNER_VARIABLE, processesMarked, runTracked, spawnTracked, stopTracked } from '../helpers/processes.ts';
import { checkHtml } from '../helpers/site.ts';

const savedPath = process.env.PATH;
const savedChrome = process.env.CHROME_PATH;
afterEach(() => {
  process.env.PATH = savedPath;
  if (savedChrome === undefined) delete process.env.CHROME_PATH;
  else process.env.CHROME_PATH = savedChrome;
});

async function pageFolder(html = '<!doctype html><html lang="en"><title>t</title><p>x'): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'petition-helper-'));
  await writeFile(path.join(directory, 'index.html'), html);
  return directory;
}

describe('the Nu HTML checker helper', () => {
  it('fails, saying to install a Java runtime, when java is not on the PATH', async () => {
    const directory = await pageFolder();
    process.env.PATH = await mkdtemp(path.join(os.tmpdir(), 'petition-empty-path-'));
    await expect(checkHtml(directory)).rejects.toThrow(/`java` was not found.*default-jre-headless/s);
  });

  it('fails when java runs but gives no report, instead of reporting no errors', async () => {
    const directory = await pageFolder();
    const bin = await mkdtemp(path.join(os.tmpdir(), 'petition-fake-java-'));
    await writeFile(path.join(bin, 'java'), '#!/bin/sh\necho "Error: could not create the Java VM" >&2\nexit 1\n', {
      mode: 0o755,
    });
    process.env.PATH = `${bin}:${savedPath}`;
    await expect(checkHtml(directory)).rejects.toThrow(/did not run.*could not create the Java VM/s);
  });

  it('reports the errors of a page that has them', async () => {
    const errors = await checkHtml(await pageFolder('<!doctype html><html lang="en"><title>t</title><p><div></span>'));
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('the browser helper', () => {
  it('fails, naming the package and CHROME_PATH, when there is no browser', async () => {
    process.env.CHROME_PATH = '/nonexistent/chromium';
    const message = await missingChromiumMessage();
    expect(message).toMatch(/CHROME_PATH names \/nonexistent\/chromium/);
    expect(message).toMatch(/apt-get install -y chromium/);
    await expect(launchBrowser()).rejects.toThrow(/CHROME_PATH=\/path\/to\/chrome npm test/);
  });
});

describe('the tab pool', () => {
  it('hands a tab back out as a new one would start: blank, no routes, the context’s viewport, screen media, no colour scheme', async () => {
    const server = createServer((_, response) => response.end('<p>served'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
    const browser = await launchBrowser();
    try {
      const tabs = new TabPool(await browser.newContext({ viewport: { width: 640, height: 480 } }));
      const first = await tabs.take();
      await first.route('**/*', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>routed' }));
      await first.goto(`${url}#one`);
      expect(await first.textContent('p')).toBe('routed');
      await first.setViewportSize({ width: 320, height: 640 });
      await first.emulateMedia({ media: 'print', colorScheme: 'dark' });
      await tabs.give(first);

      const again = await tabs.take();
      expect(again).toBe(first);
      expect(again.url()).toBe('about:blank');
      expect(again.viewportSize()).toEqual({ width: 640, height: 480 });
      const media = () =>
        again.evaluate(() => [matchMedia('print').matches, matchMedia('(prefers-color-scheme: dark)').matches]);
      expect(await media()).toEqual([false, false]);
      // No route is left, and the same address with another fragment is loaded, not jumped to.
      await again.goto(`${url}#two`);
      expect(await again.textContent('p')).toBe('served');
      // A second tab taken while the first is out is a new one.
      expect(await tabs.take()).not.toBe(again);
    } finally {
      await browser.close();
      server.close();
    }
  });
});

describe('the process helpers', () => {
  it('stop a running process and everything it started', async () => {
    // A shell that starts a grandchild and waits: both must go.
    const child = spawnTracked('sh', ['-c', 'sleep 300 & wait'], { stdio: 'ignore' });
    const marker = process.env[OWNER_VARIABLE]!;
    await expect.poll(async () => (await processesMarked(OWNER_VARIABLE, marker)).length).toBeGreaterThanOrEqual(2);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    expect(stopTracked()).toBe(1);
    await exited;
    await expect.poll(() => processesMarked(OWNER_VARIABLE, marker)).toEqual([]);
  });

  it('collect the output and exit code of a finished command', async () => {
    const result = await runTracked('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3, signal: null });
  });

  it('put temporary folders under the run’s own folder, which the run removes at its end', () => {
    expect(path.basename(os.tmpdir())).toMatch(/^petition-test-run-/);
  });
});
