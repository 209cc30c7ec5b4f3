import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSite, checkHtml, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { drawnListPage } from '../helpers/list-script.ts';

const hostile = path.join(projectRoot, 'test/fixtures/signatures/hostile');

describe('signature files written by strangers', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    site = await buildSite({ signaturesDir: hostile, settings: { latest_signers: 50 } });
  });

  it('print template syntax in names and reasons as text, never executing it', async () => {
    const list = await drawnListPage(site.output, 'signatures/index.html');
    const names = [...list.querySelectorAll('.signer-name')].map((element) => element.textContent);
    expect(names).toContain('{{ 7*7 }} Nunjucks');
    expect(names).toContain('{% include "base.njk" %}');
    expect(list.body.textContent).toContain('{% include "x" %} in a reason');
    expect(list.body.textContent).not.toContain('49 Nunjucks');
  });

  it('escape HTML so that no script, image or closing tag from a signer becomes markup', async () => {
    // Every language's pages print the same signer text the same way.
    for (const page of [
      'index.html',
      'signatures/index.html',
      'letter/delivery/index.html',
      'letter/delivery/1/index.html',
      ...['ru/', 'zh/'].map((language) => `${language}index.html`),
    ]) {
      const dom = await drawnListPage(site.output, page);
      expect(dom.querySelectorAll('script:not([src])'), page).toHaveLength(0);
      // The site's own pictures (lead image, map preview) are the only images, and none has a handler.
      expect(dom.querySelectorAll('.signers img, .delivery-list img, img[onerror]'), page).toHaveLength(0);
      for (const img of dom.querySelectorAll('img')) expect(img.getAttribute('src'), page).toMatch(/^\/(?!\/)/);
      expect(dom.querySelectorAll('textarea').length, page).toBeLessThanOrEqual(1);
    }
    const list = await drawnListPage(site.output, 'signatures/index.html');
    const names = [...list.querySelectorAll('.signer-name')].map((element) => element.textContent);
    expect(names).toContain('<script>alert(1)</script>');
    expect(names).toContain('Closing </textarea> tag');
    expect(names).toContain('Zoë O\'Brien-Smith & "friends"');
    expect(list.body.textContent).toContain('<img src=x onerror=alert(3)>');
    for (const page of ['ru/index.html', 'zh/index.html', 'letter/delivery/1/index.html']) {
      // The volume's rows are drawn from the open data by its script, as in a reader's browser.
      const text = (await drawnListPage(site.output, page)).body.textContent;
      expect(text, page).toContain('<script>alert(1)</script>');
    }
  });

  it('keep a reason with "---" lines inside its own entry, without changing the front matter', async () => {
    const { fullCsv } = await site.openData();
    const rows = parseCsv(fullCsv, { bom: true, columns: true }) as Record<string, string>[];
    const entry = rows.find((row) => row.user_id === '104')!;
    expect(entry.reason).toBe('line one\n---\nlayout: evil\n---\nline five');
    expect(entry.country).toBe('FR');
  });

  it('skip malformed and forbidden files with a warning naming each file, and count the rest', async () => {
    const expectedWarnings: Array<[string, string]> = [
      ['01/02/201.md', 'name contains bidi characters'],
      ['02/02/202.md', 'name is longer than 100 characters'],
      ['03/02/203.md', 'front matter is not valid YAML'],
      ['04/02/204.md', 'file does not start with front matter'],
      ['05/02/205.md', 'user_id 999 does not match the file name (205)'],
      ['06/02/206.md', 'name starts with = + - or @'],
      ['07/02/207.md', 'country is not an ISO 3166-1 alpha-2 code'],
    ];
    for (const [file, problem] of expectedWarnings) {
      expect(site.log).toMatch(
        new RegExp(
          `Skipped signature file \\S*${file.replace(/\//g, '\\/')}: ${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
        ),
      );
    }
    expect(JSON.parse(await site.read('data/tally.json')).signature_count).toBe(5);
  });

  it('neutralise formulas in the CSV so a spreadsheet shows them as text', async () => {
    const rows = parseCsv((await site.openData()).fullCsv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(rows.map((row) => row.reason)).toContain('<img src=x onerror=alert(3)>');
  });

  it('still produce pages that pass the Nu HTML checker', async () => {
    const errors = await checkHtml(site.output);
    expect(errors.map((error) => `${error.url}:${error.lastLine}: ${error.message}`)).toEqual([]);
  });
});
