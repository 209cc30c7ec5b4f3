/**
 * Receipt links in a real browser, on a build with a paper batch dated before every GitHub
 * signature: the bot's link reaches the signer's entry in the signer's language (with JavaScript
 * straight away; without it the page links its data and the printable list), an id that is not
 * on the list is said so in words, and a link written by rank before receipt pages existed finds
 * the entry on the page it moved to.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureReceiptPath } from '../../scripts/core/signature-list.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { githubSigners, pastBatch } from '../fixtures/receipt-links/records.ts';
import { launchBrowser, TabPool } from '../helpers/browser.ts';
import { buildSite } from '../helpers/site.ts';

const PREFIX = '/amur-leopard/';
const github = githubSigners(() => 'DE');
/** The 15th GitHub signer: on page 2 of 10 a page before the batch, on page 3 after it. */
const signer = github[14]!;

let browser: Browser;
/** Tabs with and without JavaScript, loaded again for each visit (a new tab costs far more). */
const tabs = new Map<boolean, TabPool>();
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
  for (const javaScriptEnabled of [true, false])
    tabs.set(javaScriptEnabled, new TabPool(await browser.newContext({ javaScriptEnabled })));
  site = await serveStatic(built.output, PREFIX);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function visit(url: string, javaScriptEnabled: boolean) {
  const pool = tabs.get(javaScriptEnabled)!;
  const page = await pool.take();
  await page.goto(`${site.url}${url}`);
  await page.waitForLoadState('load');
  return { page, close: () => pool.give(page) };
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

  it('takes a Russian signer to their entry on the Russian list', async () => {
    const { page, close } = await visit(`ru/${signatureReceiptPath(signer.user_id)}`, true);
    await page.waitForURL(/\/ru\/signatures\/3\/#s15007$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`s${signer.user_id}`);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    await close();
  });

  it('keeps the signer at their entry when they switch the language of the list', async () => {
    const { page, close } = await visit(`ru/${signatureReceiptPath(signer.user_id)}`, true);
    await page.waitForURL(/\/ru\/signatures\/3\/#s15007$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`s${signer.user_id}`);
    await page.locator('.language-switch a[hreflang="zh"]').click();
    await page.waitForURL(/\/zh\/signatures\/3\/#s15007$/, { timeout: 10_000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(`s${signer.user_id}`);
    expect(await page.locator(`#s${signer.user_id} .signer-name`).textContent()).toBe(signer.name);
    await close();
  });

  it('links its data and the open data, whose part holds the signer, without JavaScript', async () => {
    const { page, close } = await visit(signatureReceiptPath(signer.user_id), false);
    const links = page.locator('#find-note a');
    expect(await links.evaluateAll((all) => all.map((a) => a.getAttribute('href')))).toEqual([
      `${PREFIX}data/receipts/007.csv.gz`,
      `${PREFIX}data/signatures/index.json`,
    ]);
    // The data names the page the entry is on now: 3, after the batch; the open data's part 3 holds it.
    const data = await page.request.get(`${site.url}data/receipts/007.csv.gz`);
    expect(gunzipSync(await data.body()).toString('utf8')).toContain(`\r\n${signer.user_id},3\r\n`);
    const index = (await (await page.request.get(`${site.url}data/signatures/index.json`)).json()) as {
      parts: { url: string }[];
    };
    const part = await page.request.get(`${site.url}data/signatures/${index.parts[2]!.url}`);
    expect(gunzipSync(await part.body()).toString('utf8')).toContain(`\r\n${signer.user_id},`);
    await close();
  });

  it('says in words that an id is not on the list, and lists the ids it has', async () => {
    const { page, close } = await visit('signatures/find/007/#s99007', true);
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toContain('99007');
    expect(page.url()).toMatch(/\/signatures\/find\/007\/#s99007$/);
    const first = page.locator(`#s${signer.user_id} a`);
    expect(await first.getAttribute('href')).toBe(`../../3/#s${signer.user_id}`);
    expect(await page.locator('ul.receipts li').count()).toBe(github.length);
    await close();
  });

  it('says so when its data cannot be loaded', async () => {
    const pool = tabs.get(true)!;
    const page = await pool.take();
    await page.route('**/data/receipts/**', (route) => route.abort());
    await page.goto(`${site.url}${signatureReceiptPath(signer.user_id)}`);
    await expect.poll(() => page.locator('[role="alert"]').textContent()).toMatch(/could not be loaded/);
    await pool.give(page);
  });

  it('finds the entry from a link by rank written before the batch was added, in the same language', async () => {
    const { page, close } = await visit(`zh/signatures/2/#s${signer.user_id}`, true);
    await page.waitForURL(/\/zh\/signatures\/3\/#s15007$/, { timeout: 10_000 });
    // The entry is drawn from the open data after the page loads (count() does not wait for it).
    await page.locator(`#s${signer.user_id}`).first().waitFor();
    expect(await page.locator(`#s${signer.user_id}`).count()).toBe(1);
    await close();
  });
});
