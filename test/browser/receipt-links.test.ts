/**
 * Receipt links in a real browser, on a build with a paper batch dated before every GitHub
 * signature: the bot's link reaches the signer's entry (with JavaScript straight away, without it
 * by one link from their highlighted line), and a link written by rank before receipt pages
 * existed finds the entry on the page it moved to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureReceiptPath } from '../../scripts/core/signature-list.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { githubSigners, pastBatch } from '../fixtures/receipt-links/records.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { buildSite } from '../helpers/site.ts';

const PREFIX = '/amur-leopard/';
const github = githubSigners(() => 'DE');
/** The 15th GitHub signer: on page 2 of 10 a page before the batch, on page 3 after it. */
const signer = github[14]!;

let browser: Browser;
let site: StaticSite;
const temporary: string[] = [];

beforeAll(async () => {
  const signatures = await mkdtemp(path.join(os.tmpdir(), 'petition-receipts-'));
  temporary.push(signatures);
  await writeSignatureFiles(signatures, github);
  await writeOfflineSignatureFiles(signatures, pastBatch);
  const [built, launched] = await Promise.all([
    buildSite({ signaturesDir: signatures, settings: { signatures_per_page: 10 }, env: { PATH_PREFIX: PREFIX } }),
    launchBrowser(),
  ]);
  temporary.push(path.dirname(built.output));
  browser = launched;
  site = await serveStatic(built.output, PREFIX);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function visit(url: string, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${site.url}${url}`);
  await page.waitForLoadState('load');
  return { page, close: () => context.close() };
}

describe('a receipt link after a past-dated paper batch', () => {
  it('takes the signer straight to their entry with JavaScript', async () => {
    const { page, close } = await visit(signatureReceiptPath(signer.user_id), true);
    await page.waitForURL(/\/signatures\/3\/#s15007$/);
    expect(await page.locator(`#s${signer.user_id} .signer-name`).textContent()).toBe(signer.name);
    // The entry, drawn after the page loaded, is where the reader and their keyboard are.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`s${signer.user_id}`);
    await close();
  });

  it('shows their line, linking to the page of the entry, whose printable rows hold it without JavaScript', async () => {
    const { page, close } = await visit(signatureReceiptPath(signer.user_id), false);
    const line = page.locator(`#s${signer.user_id} a`);
    expect(await line.getAttribute('href')).toBe(`../../3/#s${signer.user_id}`);
    await line.click();
    expect(page.url()).toBe(`${site.url}signatures/3/#s${signer.user_id}`);
    // Page 3 holds ranks 21–30: the note links the volume's rows from rank 21.
    await page.locator('#list-note a').first().click();
    expect(page.url()).toBe(`${site.url}letter/delivery/1/#r21`);
    const rows = await page
      .locator('tr')
      .evaluateAll((all) => all.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    const at = rows.findIndex((cells) => cells[0] === '21');
    expect(rows.slice(at, at + 10).some((cells) => cells[1] === signer.name)).toBe(true);
    await close();
  });

  it('finds the entry from a link by rank written before the batch was added', async () => {
    const { page, close } = await visit(`signatures/2/#s${signer.user_id}`, true);
    await page.waitForURL(/\/signatures\/3\/#s15007$/);
    // The entry is drawn from the open data after the page loads (count() does not wait for it).
    await page.locator(`#s${signer.user_id}`).first().waitFor();
    expect(await page.locator(`#s${signer.user_id}`).count()).toBe(1);
    await close();
  });
});
