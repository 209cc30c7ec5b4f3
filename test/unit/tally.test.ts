import { describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { createHash } from 'node:crypto';
import { canonicalRecord, computeTally, signatureDigest } from '../../scripts/core/tally.ts';

const settings = resolveSettings({
  title: 'Save the Amur Leopard',
  goal: 10,
  state: 'open',
  closing_date: '2027-06-30',
  repository: 'owner/repo',
  site_url: 'https://owner.github.io',
  path_prefix: '/repo/',
});
const now = new Date('2026-11-24T12:00:00Z');

describe('the tally', () => {
  it('counts signatures, countries and days', () => {
    const records = generateSampleRecords(25, { seed: 3 });
    const tally = computeTally(records, settings, now);
    expect(tally.signature_count).toBe(25);
    expect(tally.signatures_by_country.reduce((sum, c) => sum + c.signature_count, 0)).toBe(25);
    expect(tally.country_count).toBe(tally.signatures_by_country.length);
    expect(tally.signatures_by_day.reduce((sum, d) => sum + d.signature_count, 0)).toBe(25);
    expect(tally.goal_percent).toBe(100);
    expect(tally.is_open).toBe(true);
  });

  it('reads well with no signatures at all', () => {
    const tally = computeTally([], settings, now);
    expect(tally).toMatchObject({
      signature_count: 0,
      country_count: 0,
      goal_percent: 0,
      signatures_by_country: [],
      signatures_by_day: [],
    });
    expect(tally.digest.value).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes exactly the documented lines: each record as JSON.stringify writes its public fields', () => {
    const records = [
      ...generateSampleRecords(300, { seed: 9, letterSha256: 'a'.repeat(64) }),
      {
        ...generateSampleRecords(1, { seed: 2 })[0]!,
        name: 'Quote " back\\slash \u2028 line \u0001 ctrl ☃ 𝄞',
        reason: 'lone \ud800 surrogate\nand "quotes"',
      },
    ];
    const documented = createHash('sha256');
    for (const record of [...records].sort((a, b) => a.user_id - b.user_id))
      documented.update(`${JSON.stringify(canonicalRecord(record))}\n`);
    expect(signatureDigest(records)).toBe(documented.digest('hex'));
  });

  it('gives the same digest whatever order the files were read in', () => {
    const records = generateSampleRecords(100, { seed: 5 });
    expect(signatureDigest([...records].reverse())).toBe(signatureDigest(records));
  });

  it('changes the digest when any public field of any signature changes', () => {
    const records = generateSampleRecords(50, { seed: 7 });
    const before = signatureDigest(records);
    const edited = records.map((record, index) => (index === 17 ? { ...record, name: `${record.name}.` } : record));
    expect(signatureDigest(edited)).not.toBe(before);
    expect(signatureDigest(records.slice(1))).not.toBe(before);
  });

  it('sorts countries by count and reports a closed petition as not open', () => {
    const records = generateSampleRecords(200, { seed: 11 });
    const tally = computeTally(records, { ...settings, state: 'closed' }, now);
    const counts = tally.signatures_by_country.map((c) => c.signature_count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(tally.is_open).toBe(false);
    expect(computeTally(records, settings, new Date('2027-07-01T00:00:00Z')).is_open).toBe(false);
    expect(computeTally(records, settings, new Date('2027-06-30T23:59:59Z')).is_open).toBe(true);
  });
});
