import { parse as parseCsv } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contactHash,
  contactId,
  normaliseContact,
  offlineIdFromRelativePath,
  offlineRelativePath,
  parseAnySignatureFile,
  parseOfflineSignatureFile,
  renderOfflineSignatureFile,
  rowId,
  type OfflineSignatureRecord,
} from '../../scripts/core/offline-signature.ts';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import {
  renderSignatureFile,
  signatureRelativePath,
  userIdFromRelativePath,
  type SignatureRecord,
} from '../../scripts/core/signature-file.ts';
import { computeTally, signatureDigest } from '../../scripts/core/tally.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { CSV_COLUMNS, CSV_HEADER, csvParts } from '../../scripts/site/open-data.ts';
import { channelBreakdownIn, siteLanguages } from '../../scripts/site/languages.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';
import { projectRoot } from '../helpers/site.ts';

const KEY = 'unit-test-key-0123456789abcdef01234567';
const paper: OfflineSignatureRecord = {
  channel: 'paper',
  id: contactId(contactHash('email:anna@example.org', KEY)),
  name: 'Anna P.',
  country: 'RU',
  signed_at: '2026-11-20',
  batch: '2026-11-market',
  row: 2,
  collector: 'Maria K.',
  letter_sha256: 'b'.repeat(64),
  reason: 'For the forests of Primorye.',
};
const mixed = path.join(projectRoot, 'test/fixtures/signatures/mixed');

/** The digest exactly as it was computed before offline signatures existed (docs/how-it-works.md, "Recount it yourself"). */
function digestBeforeOfflineSignatures(records: SignatureRecord[]): string {
  const hash = createHash('sha256');
  for (const r of [...records].sort((a, b) => a.user_id - b.user_id))
    hash.update(
      `${JSON.stringify({ user_id: r.user_id, login: r.login, name: r.name, country: r.country, issue: r.issue, signed_at: r.signed_at, letter_sha256: r.letter_sha256, reason: r.reason })}\n`,
    );
  return hash.digest('hex');
}

describe('offline signature files', () => {
  it('round-trip a record through its file text unchanged', () => {
    const parsed = parseOfflineSignatureFile(renderOfflineSignatureFile(paper), offlineRelativePath(paper.id));
    expect(parsed).toEqual({ ok: true, record: paper });
  });

  it('live in a key space no GitHub user id can reach, and the other way round', () => {
    expect(offlineRelativePath(paper.id)).toBe(`offline/${paper.id.slice(1, 3)}/${paper.id}.md`);
    expect(userIdFromRelativePath(offlineRelativePath(paper.id))).toBeUndefined();
    expect(offlineIdFromRelativePath(signatureRelativePath(1234567))).toBeUndefined();
    expect(() => offlineRelativePath('1234567')).toThrow();
    // A paper signature written where a GitHub file belongs is refused, not counted as the account's.
    const disguised = renderSignatureFile({
      name: 'Anna P.',
      country: 'RU',
      login: 'apetrova',
      user_id: 1234567,
      issue: 42,
      signed_at: '2026-11-23T19:00:00Z',
      letter_sha256: '',
      reason: '',
    }).replace('---\nname', '---\nchannel: "paper"\nname');
    expect(parseAnySignatureFile(disguised, signatureRelativePath(1234567))).toEqual({
      ok: false,
      problem: 'channel is not "github" (paper and email signatures belong under offline/)',
    });
    expect(parseAnySignatureFile(disguised.replace('"paper"', '"github"'), signatureRelativePath(1234567)).ok).toBe(
      true,
    );
  });

  it('are checked with the same rules for names and reasons as GitHub files', () => {
    const file = (change: Partial<OfflineSignatureRecord>) =>
      parseOfflineSignatureFile(renderOfflineSignatureFile({ ...paper, ...change }), offlineRelativePath(paper.id));
    expect(file({ name: 'x\u202Ey' })).toEqual({ ok: false, problem: 'name contains bidi characters' });
    expect(file({ name: '=cmd' })).toEqual({ ok: false, problem: 'name starts with = + - or @' });
    expect(file({ collector: 'see www.spam.example.com' })).toEqual({
      ok: false,
      problem: 'collector contains a web address',
    });
    expect(file({ reason: 'a\u200Bb' })).toEqual({ ok: false, problem: 'reason contains invisible characters' });
    expect(file({ signed_at: '2026-02-30' })).toEqual({
      ok: false,
      problem: 'signed_at is not a date like 2026-11-23',
    });
    expect(file({ country: 'XX' }).ok).toBe(false);
  });

  it('made up for the demo pass the same checks as real ones', () => {
    const samples = generateOfflineSampleRecords(200);
    expect(new Set(samples.map((record) => record.id)).size).toBe(200);
    expect(samples.filter((record) => record.channel === 'email').length).toBeGreaterThan(0);
    for (const record of samples)
      expect(parseOfflineSignatureFile(renderOfflineSignatureFile(record), offlineRelativePath(record.id))).toEqual({
        ok: true,
        record,
      });
  });

  it('refuse a row id that does not match its batch and row', () => {
    const byRow = { ...paper, id: rowId('2026-11-market', 3), row: 3 };
    expect(parseOfflineSignatureFile(renderOfflineSignatureFile(byRow), offlineRelativePath(byRow.id)).ok).toBe(true);
    expect(
      parseOfflineSignatureFile(renderOfflineSignatureFile({ ...byRow, row: 4 }), offlineRelativePath(byRow.id)),
    ).toEqual({
      ok: false,
      problem: 'the file name does not match batch 2026-11-market, row 4',
    });
  });
});

describe('contacts', () => {
  it('normalise so that one person written two ways hashes the same', () => {
    expect(normaliseContact(' Anna@Example.ORG ')).toEqual({ ok: true, value: 'email:anna@example.org' });
    expect(normaliseContact('+7 (495) 123-45-67')).toEqual({ ok: true, value: 'phone:+74951234567' });
    expect(normaliseContact('x'.repeat(10_000)).ok).toBe(false);
    expect(normaliseContact('call me').ok).toBe(false);
    expect(normaliseContact('12').ok).toBe(false);
  });

  it('hash only with the key: another key gives another id, and no key is refused', () => {
    const one = contactHash('email:anna@example.org', KEY);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(contactHash('email:anna@example.org', `${KEY}x`)).not.toBe(one);
    expect(one).not.toBe(createHash('sha256').update('email:anna@example.org').digest('hex'));
    expect(() => contactHash('email:anna@example.org', '')).toThrow('too short');
    expect(contactId(one)).toBe(`c${one.slice(0, 40)}`);
  });
});

describe('the tally with offline signatures', () => {
  const settings = resolveSettings({
    title: 'Test',
    goal: 100,
    state: 'open',
    closing_date: '2099-01-01',
    repository: 'o/r',
    site_url: 'https://o.github.io',
    path_prefix: '/r/',
  });

  it('keeps the digest of a repository with only GitHub signatures as it always was', () => {
    const records = generateSampleRecords(200, { seed: 9 });
    expect(signatureDigest(records)).toBe(digestBeforeOfflineSignatures(records));
    expect(signatureDigest([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('covers offline signatures in the digest, whatever the order of reading', () => {
    const github = generateSampleRecords(20, { seed: 2 });
    const all = [...github, paper, { ...paper, id: rowId('b', 1), channel: 'email' as const }];
    expect(signatureDigest(all)).not.toBe(signatureDigest(github));
    expect(signatureDigest([...all].reverse())).toBe(signatureDigest(all));
    expect(signatureDigest([...github, { ...paper, name: 'Anna Q.' }])).not.toBe(signatureDigest([...github, paper]));
  });

  it('counts every channel, and the recount from a clone covers them', async () => {
    const { records, skipped } = await loadSignatures(mixed);
    expect(skipped).toEqual([]);
    const tally = computeTally(records, settings, new Date('2026-11-25T00:00:00Z'));
    expect(tally.signature_count).toBe(4);
    expect(tally.signatures_by_channel).toEqual({ github: 1, paper: 2, email: 1 });
    expect(tally.country_count).toBe(3);
    const catalogs = await readCatalogs(fixturePetitionDir('amur-leopard'), 'en');
    const [en, ru, zh] = siteLanguages(catalogs).map((language, index) => ({ ...language, catalog: catalogs[index]! }));
    const breakdown = (language: typeof en, counts: typeof many) =>
      channelBreakdownIn(language!.catalog, language!.locale, counts);
    const many = { github: 12304, paper: 1210, email: 95 };
    expect(breakdown(en, tally.signatures_by_channel)).toBe(
      '1 signed online through GitHub, 2 on paper and 1 by email',
    );
    expect(breakdown(en, many)).toBe('12,304 signed online through GitHub, 1,210 on paper and 95 by email');
    expect(breakdown(ru, many)).toBe(
      '12\u00a0304 подписали онлайн через GitHub, 1\u00a0210 на бумаге и 95 по электронной почте',
    );
    expect(breakdown(zh, many)).toBe('12,304 人通过 GitHub 在线签名、1,210 人在纸上签名和95 人通过电子邮件签名');
    // A channel nobody used is left out.
    expect(breakdown(en, { github: 5, paper: 0, email: 3 })).toBe('5 signed online through GitHub and 3 by email');
  });

  it('labels the channel of every row of the open data, leaving GitHub fields empty for offline rows', async () => {
    const { records } = await loadSignatures(mixed);
    const csv =
      CSV_HEADER + [...csvParts(records.length, (rank) => records[rank - 1]!, 500)].map((part) => part.rows).join('');
    const rows = parseCsv(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(rows.find((row) => row.name === 'Jonas Mail')).toMatchObject({
      user_id: '',
      login: '',
      issue: '',
      country: 'DE',
      signed_at: '2026-11-22',
      channel: 'email',
      id: expect.stringMatching(/^r[0-9a-f]{40}$/),
      batch: 'mail-2026-11',
      row: expect.stringMatching(/^\d+$/),
      collector: 'Ivan T.',
    });
    expect(rows.filter((row) => row.channel === 'paper')).toHaveLength(2);
    expect(rows.filter((row) => row.channel === 'github')).toHaveLength(1);
    expect(rows.find((row) => row.login === 'apetrova')).toMatchObject({ channel: 'github', user_id: '1234567' });
  });
});
