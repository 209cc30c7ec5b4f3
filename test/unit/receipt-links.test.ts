/**
 * A receipt link keeps pointing at the signer's entry after later additions, withdrawals and
 * moderation: the bot links to the receipt page of the signer's id (which depends on nothing
 * else), and that page looks the id up in the receipt data, rebuilt with the list, which gives
 * the page the entry is on now.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PetitionRecord } from '../../scripts/core/offline-signature.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { signatureEntryPath, signatureReceiptPath } from '../../scripts/core/signature-list.ts';
import { listEntriesHtml } from '../../scripts/site/bulk-pages.ts';
import { receiptIndex } from '../../scripts/site/receipt-pages.ts';
import { buildSiteData, type SiteBuild } from '../../scripts/site/site-data.ts';
import { githubSigners, pastBatch } from '../fixtures/receipt-links/records.ts';
import { baseSettings, projectRoot } from '../helpers/site.ts';

const letterText = await readFile(
  path.join(
    projectRoot,
    'test/fixtures/letter-archive/legacy/content/letter-versions/en/469424b0e6ac492d63c08d187c18b68e5f5c83237ffbd6ade8e27b0c14aeb1a1.md',
  ),
  'utf8',
);
const settings = resolveSettings({ ...baseSettings, signatures_per_page: 10 }, {});
const now = new Date('2026-12-01T00:00:00Z');

/** 25 GitHub signers, one a day from 1 November; ids chosen to share receipt pages. */
const github = githubSigners((i) => (i % 2 ? 'RU' : 'DE'));

const build = (records: readonly PetitionRecord[]): SiteBuild => buildSiteData(settings, records, letterText, now);

/** Receipt page `number`'s data (data/receipts/<key>.csv.gz, uncompressed). */
const receiptCsv = (site: SiteBuild, number: number) => receiptIndex(site.bulk.newest, site.bulk.perPage).csv(number);

/**
 * Follows a receipt link as a reader's browser does (assets/js/find-entry.js): the receipt page's
 * data, the row of the id, the list page it names, and that page's entries. Returns the list page
 * it ends on, or undefined when the row or the entry is not there.
 */
function follow(site: SiteBuild, link: string, userId: number): number | undefined {
  const match = /^signatures\/find\/(\d{3})\/#s(\d+)$/.exec(link);
  if (!match) return undefined;
  expect(site.data.receiptPages.map((p) => p.key)).toContain(match[1]);
  const row = receiptCsv(site, Number(match[1]))
    .split('\r\n')
    .find((line) => line.startsWith(`${match[2]},`));
  if (!row) return undefined;
  const page = Number(row.split(',')[1]);
  return listed(site, page, userId) ? page : undefined;
}

function listed(site: SiteBuild, page: number, userId: number): boolean {
  if (page > site.data.signatureListPages.length) return false;
  return listEntriesHtml(site.bulk, page).includes(`<li id="s${userId}">`);
}

describe('receipt links', () => {
  const signer = github[14]!; // the 15th oldest: page 2 of 10 a page
  const link = signatureReceiptPath(signer.user_id);

  it('depend on nothing but the id', () => {
    expect(link).toBe(`signatures/find/007/#s${signer.user_id}`);
  });

  it("lead to the signer's entry now, after a past-dated paper batch and after withdrawals", () => {
    const before = build(github);
    expect(follow(before, link, signer.user_id)).toBe(2);

    // A link by rank, as the bot wrote before, is right only until something older is added.
    const byRank = /^signatures\/(\d+)\//.exec(signatureEntryPath(15, signer.user_id, 10))![1];
    const withBatch = build([...github, ...pastBatch]);
    expect(listed(withBatch, Number(byRank), signer.user_id)).toBe(false);
    expect(follow(withBatch, link, signer.user_id)).toBe(3);

    // The five oldest GitHub signers withdraw, a moderator removes the batch's first rows.
    const after = build([...github.slice(5), ...pastBatch.slice(3)]);
    expect(follow(after, link, signer.user_id)).toBe(2);
    for (const other of github.slice(5))
      expect(follow(after, signatureReceiptPath(other.user_id), other.user_id)).toBeGreaterThan(0);
  });

  it('are written the same on every build, whatever order the records come in', () => {
    const one = build([...github, ...pastBatch]);
    const two = build([...pastBatch, ...github].reverse());
    for (const page of one.data.receiptPages) expect(receiptCsv(two, page.number)).toBe(receiptCsv(one, page.number));
    expect(two.data.receiptPages).toEqual(one.data.receiptPages);
  });

  it('list GitHub signers only, each page its own ids in order', () => {
    const site = build([...github, ...pastBatch]);
    expect(site.data.receiptPages.map((p) => p.key)).toEqual(['007']);
    const rows = receiptCsv(site, 7).split('\r\n');
    expect(rows[0]).toBe('user_id,list_page');
    expect(rows.at(-1)).toBe('');
    expect(rows.slice(1, -1).map((row) => Number(row.split(',')[0]))).toEqual(github.map((r) => r.user_id));
    expect(receiptCsv(site, 8)).toBe('user_id,list_page\r\n');
  });
});
