import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { NAME_LIMITS, REASON_LIMITS } from '../../scripts/core/text.ts';
import { volumeRowsHtml } from '../../scripts/site/bulk-pages.ts';
import { writeOpenData, writeReceiptData } from '../../scripts/site/bulk-output.ts';
import { buildSiteData } from '../../scripts/site/site-data.ts';
import { receiptDataPath, receiptPages } from '../../scripts/site/receipt-pages.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';
import { readOpenData } from '../helpers/site.ts';

const baseSettingsInput = JSON.parse(
  await readFile(path.join(fixturePetitionDir('amur-leopard'), 'content/settings.json'), 'utf8'),
) as Record<string, unknown>;
const settings = resolveSettings(baseSettingsInput);
const letterText = await readFile(path.join(fixturePetitionDir('amur-leopard'), 'content/letter.md'), 'utf8');

describe('the pages and files written after the build', () => {
  let output: string;
  beforeEach(async () => {
    output = await mkdtemp(path.join(os.tmpdir(), 'petition-bulk-'));
  });
  afterEach(async () => {
    await rm(output, { recursive: true, force: true });
  });

  it('splits the open data into one part per list page, oldest first, each one gzip member', async () => {
    const records = generateSampleRecords(25, { seed: 11 });
    const { data, bulk } = buildSiteData(
      { ...settings, signatures_per_page: 10 },
      records,
      letterText,
      new Date('2026-11-25T00:00:00Z'),
    );
    await writeOpenData(output, bulk, data.tally);
    const { index, fullCsv, partCsvs } = await readOpenData(output);
    expect(index.parts.map(({ url, first, last, rows }) => [url, first, last, rows])).toEqual([
      ['1.csv.gz', 1, 10, 10],
      ['2.csv.gz', 11, 20, 10],
      ['3.csv.gz', 21, 25, 5],
    ]);
    const read = (csv: string) => parseCsv(csv, { bom: true, columns: true }) as Record<string, string>[];
    const full = read(fullCsv);
    expect(full).toHaveLength(25);
    expect(partCsvs.flatMap(read)).toEqual(full);
    expect(full.map((row) => row.signed_at)).toEqual(full.map((row) => row.signed_at).sort());
    expect(index).toMatchObject({ signature_count: 25, rows_per_part: 10, digest: { value: data.tally.digest.value } });
    expect(data.signatureListPages.map((page) => [page.dataUrl, page.firstRank, page.lastRank])).toEqual(
      index.parts.map(({ url, first, last }) => [`/data/signatures/${url}`, first, last]),
    );
    // One member: the gzip trailer (CRC and length) of the whole CSV ends the file, as browsers' DecompressionStream requires.
    const bytes = await readFile(path.join(output, 'data/signatures/3.csv.gz'));
    expect(bytes.readUInt32LE(bytes.length - 4)).toBe(Buffer.byteLength(partCsvs[2]!));
  });

  it('keeps a part of the most signatures a page may hold, every name and reason at its byte limit, far under 25 MB', async () => {
    // The most a list page may hold: the settings refuse more.
    expect(() => resolveSettings({ ...baseSettingsInput, signatures_per_page: 1001 })).toThrow(/signatures_per_page/);
    const perPage = resolveSettings({ ...baseSettingsInput, signatures_per_page: 1000 }).signatures_per_page;
    // Random Han characters of four bytes (CJK Extension B) with three combining marks: about as
    // many bytes as the limits allow a name and a reason, and as little for gzip to squeeze as text gets.
    let seed = 1;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const text = ({ characters, codePoints, bytes }: typeof NAME_LIMITS) =>
      Array.from(
        { length: Math.min(characters, Math.floor(codePoints / 4), Math.floor(bytes / 10)) },
        () => `${String.fromCodePoint(0x20000 + Math.floor(random() * 40000))}\u0301\u0302\u0303`,
      ).join('');
    const records = generateSampleRecords(perPage, { seed: 5 }).map((record) => ({
      ...record,
      name: text(NAME_LIMITS),
      reason: text(REASON_LIMITS),
    }));
    const { data, bulk } = buildSiteData(
      { ...settings, signatures_per_page: perPage },
      records,
      letterText,
      new Date(),
    );
    await writeOpenData(output, bulk, data.tally);
    const { index } = await readOpenData(output);
    expect(index.parts).toHaveLength(1);
    const uncompressed = Buffer.byteLength((await readOpenData(output)).partCsvs[0]!);
    expect(uncompressed).toBeGreaterThan(perPage * (NAME_LIMITS.bytes + REASON_LIMITS.bytes) * 0.75);
    expect(uncompressed).toBeLessThan(25 * 1024 ** 2);
    expect(index.parts[0]!.bytes).toBeLessThan(25 * 1024 ** 2);
  });

  it('writes a petition no one has signed yet as one part holding just the header', async () => {
    const { data, bulk } = buildSiteData(settings, [], letterText, new Date());
    await writeOpenData(output, bulk, data.tally);
    const { index, fullCsv, partCsvs } = await readOpenData(output);
    expect(index.parts).toMatchObject([{ url: '1.csv.gz', rows: 0 }]);
    expect(fullCsv).toBe(partCsvs[0]);
    expect(fullCsv.startsWith('\uFEFFuser_id,login,name,')).toBe(true);
  });

  it("gives a volume its rows oldest first, the first row of each list page marked for that page's link", () => {
    const records = generateSampleRecords(12, { seed: 2 });
    const { bulk } = buildSiteData({ ...settings, signatures_per_page: 10 }, records, letterText, new Date());
    const rows = volumeRowsHtml(bulk, 1);
    expect(rows.match(/<tr[ >]/g)).toHaveLength(12);
    expect([...rows.matchAll(/<tr id="(r\d+)"><td>(\d+)</g)].map((m) => [m[1], m[2]])).toEqual([
      ['r1', '1'],
      ['r11', '11'],
    ]);
  });

  it('writes one compressed receipt file per receipt page, each GitHub signer with their list page', async () => {
    // Ids ending in 007 share a receipt page; paper signatures are on the list but have no receipt.
    const github = generateSampleRecords(12, { seed: 2 }).map((record, i) => ({ ...record, user_id: 1007 + i * 1000 }));
    const records = [...github, ...generateOfflineSampleRecords(3, { seed: 3 })];
    const { bulk } = buildSiteData({ ...settings, signatures_per_page: 5 }, records, letterText, new Date());
    writeReceiptData(output, bulk);
    expect(receiptPages(records).map((page) => receiptDataPath(page.key))).toEqual(['data/receipts/007.csv.gz']);
    const csv = gunzipSync(await readFile(path.join(output, 'data/receipts/007.csv.gz'))).toString('utf8');
    const rows = parseCsv(csv, { columns: true }) as { user_id: string; list_page: string }[];
    expect(rows.map((row) => Number(row.user_id))).toEqual(github.map((record) => record.user_id));
    // Rank r (1 = the oldest) is on list page ceil(r / 5).
    const rankOf = (userId: number) =>
      bulk.newest.length - bulk.newest.findIndex((record) => 'user_id' in record && record.user_id === userId);
    expect(rows.map((row) => Number(row.list_page))).toEqual(
      github.map((record) => Math.ceil(rankOf(record.user_id) / 5)),
    );
    expect(new Set(rows.map((row) => row.list_page)).size).toBeGreaterThan(1);
  });
});
