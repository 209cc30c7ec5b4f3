import { parse as parseCsv } from 'csv-parse/sync';
/** The built site with GitHub, paper and email signatures, and the printable signature sheet. */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureDigest } from '../../scripts/core/tally.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { buildSite, checkHtml, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { drawnListPage } from '../helpers/list-script.ts';

const mixed = path.join(projectRoot, 'test/fixtures/signatures/mixed');

describe('a petition with paper and email signatures', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    site = await buildSite({ signaturesDir: mixed });
  });
  afterAll(() => rm(path.dirname(site.output), { recursive: true, force: true }));

  it('says in the letter how many signed through each channel', async () => {
    for (const page of ['letter/index.html', 'letter/delivery/index.html']) {
      const dom = await site.dom(page);
      expect(dom.querySelector('.tally-sentence')?.textContent, page).toContain(
        'We, the 4 undersigned from 3 countries (1 signed online through GitHub, 2 on paper and 1 by email), write to you:',
      );
    }
    for (const page of ['index.html', 'signatures/index.html']) {
      const dom = await site.dom(page);
      expect(dom.querySelector('.progress .channel-count')?.textContent, page).toContain(
        '1 signed online through GitHub, 2 on paper and 1 by email',
      );
    }
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(tally.signatures_by_channel).toEqual({ github: 1, paper: 2, email: 1 });
    expect(tally.signature_count).toBe(4);
  });

  it('publishes the digest a recount of the clone gives, offline signatures included', async () => {
    const { records } = await loadSignatures(mixed);
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(tally.digest.value).toBe(signatureDigest(records));
    expect(tally.digest.description).toContain('then the paper and email signatures sorted by id');
    // `npm run tally -- --json`, as someone who cloned the repository runs it.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/commands/tally.ts', '--json'],
      {
        cwd: projectRoot,
        env: { ...process.env, SIGNATURES_DIR: mixed },
      },
    );
    const recount = JSON.parse(stdout);
    expect(recount).toMatchObject({
      signature_count: 4,
      signatures_by_channel: { github: 1, paper: 2, email: 1 },
      digest: tally.digest.value,
      skipped: [],
    });
  });

  it('labels every offline signature on the lists, and links only GitHub ones to a receipt', async () => {
    for (const page of ['signatures/index.html', 'index.html']) {
      const dom = page.startsWith('signatures/') ? await drawnListPage(site.output, page) : await site.dom(page);
      const entries = [...dom.querySelectorAll('.signers li')];
      expect(entries, page).toHaveLength(4);
      const byName = (name: string) =>
        entries.find((entry) => entry.querySelector('.signer-name')?.textContent === name)!;
      expect(byName('Anna Paper').querySelector('.signer-channel')?.textContent, page).toBe(
        'on paper, batch 2026-11-market',
      );
      expect(byName('Jonas Mail').querySelector('.signer-channel')?.textContent, page).toBe(
        'by email, batch mail-2026-11',
      );
      expect(byName('Anna Paper').querySelector('a'), page).toBeNull();
      expect(byName('Анна Петрова').querySelector('.signer-channel'), page).toBeNull();
    }
    const list = await drawnListPage(site.output, 'signatures/index.html');
    expect(list.querySelector('.signers li a')?.textContent).toBe('receipt #42');
    expect(list.querySelector('li[id^="o-r"]')).not.toBeNull();
    // An offline name is signer text like any other: escaped, never a template.
    expect(list.body.textContent).toContain('<b>Li</b> {{ 7*7 }}');
    expect(list.querySelector('.signer-name b')).toBeNull();
  });

  it('gives the delivery letter a column saying how each signature came', async () => {
    const dom = await drawnListPage(site.output, 'letter/delivery/1/index.html');
    expect([...dom.querySelectorAll('.delivery-list thead th')].map((th) => th.textContent)).toEqual([
      'No.',
      'Name',
      'Country or territory',
      'Signed',
      'Signed through',
    ]);
    const how = [...dom.querySelectorAll('.delivery-list tbody tr')].map((row) =>
      row.lastElementChild?.textContent?.trim(),
    );
    expect(how.sort()).toEqual(['GitHub', 'email', 'paper', 'paper']);
    const index = await site.dom('letter/delivery/index.html');
    expect(index.querySelector('.channel-note')?.textContent).toContain(
      '1 signed online through GitHub, 2 on paper and 1 by email',
    );
  });

  it('marks the channel of every row of the open data', async () => {
    const { fullCsv } = await site.openData();
    const rows = parseCsv(fullCsv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.channel).sort()).toEqual(['email', 'github', 'paper', 'paper']);
  });

  it('prints a signature sheet with the letter, its version, the consent line, the QR code and the batch columns', async () => {
    const sheet = await site.dom('sheet/index.html');
    const letterHash = (await site.dom('letter/index.html')).querySelector('.letter-hash .hash')?.textContent;
    expect(letterHash).toMatch(/^[0-9a-f]{64}$/);
    expect(sheet.querySelector('.sheet-version .hash')?.textContent).toBe(letterHash);
    expect(sheet.querySelector('.sheet-consent')?.textContent).toMatch(
      /my name, my country, the date and my reason \(if I give one\) are published.*never published/s,
    );
    expect(sheet.querySelector('.sheet-letter .demands li')).not.toBeNull();
    const qr = sheet.querySelector('.sheet-qr svg');
    expect(qr?.getAttribute('role')).toBe('img');
    expect(qr?.getAttribute('aria-label')).toContain('the petition');
    expect(qr?.querySelector('path')?.getAttribute('d')?.length).toBeGreaterThan(500);
    const keys = [...sheet.querySelectorAll('.sheet-table th .column-key')].map((key) => key.textContent);
    expect(keys).toEqual(['(name)', '(country)', '(reason)', '(date)', '(contact)']);
    expect(sheet.querySelectorAll('.sheet-table tbody tr')).toHaveLength(12);
    expect(await site.read('sheet/sheet.csv')).toBe('name,country,reason,date,channel,collector,contact\r\n');
    expect(JSON.parse(await site.read('sheet/sheet.json'))).toEqual({
      rows: [{ name: '', country: '', reason: '', date: '', channel: 'paper', collector: '', contact: '' }],
    });
  });

  it('writes valid HTML on the pages that changed', async () => {
    const messages = await checkHtml(site.output);
    expect(messages.filter((message) => message.type === 'error')).toEqual([]);
  });
});
