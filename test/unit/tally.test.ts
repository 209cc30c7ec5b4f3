import { describe, expect, it } from 'vitest';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { isOffline, type PetitionRecord } from '../../scripts/core/offline-signature.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { createHash } from 'node:crypto';
import { canonicalRecord, computeTally, newestFirst, signatureDigest } from '../../scripts/core/tally.ts';

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

describe('the orders a million signatures are sorted in', () => {
  /** The order newestFirst promises, as a plain comparison: newest text first, then the key, highest first. */
  const expected = (records: readonly PetitionRecord[]) =>
    [...records].sort((a, b) => {
      if (a.signed_at !== b.signed_at) return a.signed_at < b.signed_at ? 1 : -1;
      const key = (record: PetitionRecord) =>
        isOffline(record) ? `1${record.id}` : `0${String(record.user_id).padStart(16, '0')}`;
      return key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0;
    });

  it('puts records newest first, a day before its first second, ties by key, as the text of their times sorts', () => {
    const github = generateSampleRecords(3000, { seed: 4 });
    // Same instants, the same day as a paper batch, and the first second of that day.
    github[1] = { ...github[1]!, signed_at: github[0]!.signed_at };
    github[2] = { ...github[2]!, signed_at: github[0]!.signed_at };
    github[3] = { ...github[3]!, signed_at: '2026-11-23T00:00:00Z' };
    github[4] = { ...github[4]!, signed_at: '2026-11-22T23:59:59Z' };
    const offline = generateOfflineSampleRecords(40, { seed: 2 }).map((record, index) =>
      index < 3 ? { ...record, signed_at: '2026-11-23' } : record,
    );
    const records: PetitionRecord[] = [...github, ...offline];
    expect(newestFirst(records)).toEqual(expected(records));
  });

  it('sorts times with fractions of a second by their text too, where ".5Z" follows ".50Z"', () => {
    const records = generateSampleRecords(50, { seed: 6 }).map((record, index) =>
      index < 3
        ? {
            ...record,
            signed_at: ['2026-11-23T10:00:00.5Z', '2026-11-23T10:00:00.50Z', '2026-11-23T10:00:00Z'][index]!,
          }
        : record,
    );
    expect(newestFirst(records)).toEqual(expected(records));
  });

  it('gives the digest of records sorted by user id, above 2^31 too, and of names that JSON must escape', () => {
    const records = generateSampleRecords(500, { seed: 8 }).map((record, index) =>
      index === 0 ? { ...record, user_id: 2 ** 40 + 7, name: 'A "quoted" \\ name\u2028😀' } : record,
    );
    const lines = [...records]
      .sort((a, b) => a.user_id - b.user_id)
      .map((record) => `${JSON.stringify(canonicalRecord(record))}\n`)
      .join('');
    expect(signatureDigest(records)).toBe(createHash('sha256').update(lines).digest('hex'));
    expect(signatureDigest(records.slice(1))).toBe(
      createHash('sha256')
        .update(
          lines
            .split('\n')
            .filter((line) => !line.includes('quoted'))
            .join('\n'),
        )
        .digest('hex'),
    );
  });
});
