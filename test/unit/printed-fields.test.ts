import { describe, expect, it } from 'vitest';
import type { SignatureRecord } from '../../scripts/core/signature-file.ts';
import { countryCells, csvRow } from '../../scripts/site/open-data.ts';
import { signerHtmlRenderer } from '../../scripts/site/signer-html.ts';

/**
 * Every field is escaped or coerced where it is printed, whatever let it through (issue #26: a
 * forged record cache once put a record's `issue` into the pages as markup). These records did
 * not come from the loader: they are what a hole before the printer would hand it.
 */
const forged = {
  name: 'Anna',
  country: 'DE',
  login: '=HYPERLINK("http://x")',
  user_id: 1234567,
  issue: '<b>1</b>" onclick="alert(1)' as unknown as number,
  signed_at: '2026-11-23T19:00:00Z',
  letter_sha256: '+SUM(A1)',
  reason: '',
} satisfies SignatureRecord;

describe('fields printed into the pages and the open data', () => {
  const renderer = signerHtmlRenderer({ repository: 'leopards/petition' });

  it('link a receipt only for an issue number that is a positive whole number', () => {
    const html = renderer.listItem(forged);
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('onclick');
    expect(html).not.toContain('/issues/');
    for (const issue of [0, -3, 1.5, Number.NaN, 2 ** 60])
      expect(renderer.listItem({ ...forged, issue })).not.toContain('/issues/');
    expect(renderer.listItem({ ...forged, issue: 42 })).toContain(
      'href="https://github.com/leopards/petition/issues/42">receipt #42</a>',
    );
  });

  it('neutralise every text cell of the CSV and leave a number cell empty unless it is a positive whole number', () => {
    const row = csvRow(forged, countryCells());
    const cells = row.trimEnd().split(',');
    expect(cells[0]).toBe('1234567');
    expect(row).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(row).toContain(",'+SUM(A1),");
    expect(row).not.toContain('<b>');
    expect(row).not.toMatch(/,[=+\-@]/);
  });
});
