import { describe, expect, it } from 'vitest';
import {
  parseSignatureFile,
  renderSignatureFile,
  signatureRelativePath,
  type SignatureRecord,
  userIdFromRelativePath,
} from '../../scripts/core/signature-file.ts';

const anna: SignatureRecord = {
  name: 'Anna P.',
  country: 'RU',
  login: 'apetrova',
  user_id: 1234567,
  issue: 42,
  signed_at: '2026-11-23T19:00:00Z',
  letter_sha256: 'a'.repeat(64),
  reason: 'For the forests of Primorye.',
};

describe('signature files', () => {
  it('round-trips a record through its file text unchanged', () => {
    const parsed = parseSignatureFile(renderSignatureFile(anna), signatureRelativePath(anna.user_id));
    expect(parsed).toEqual({ ok: true, record: anna });
  });

  it('keeps hostile names inside the front matter as plain text', () => {
    const hostile = {
      ...anna,
      name: 'x"\n---\nname: Mallory {{ 7*7 }}'.replace(/\n/g, ' '),
      reason: '---\ncountry: US\n---',
    };
    const text = renderSignatureFile(hostile);
    const parsed = parseSignatureFile(text, signatureRelativePath(anna.user_id));
    expect(parsed.ok && parsed.record).toEqual(hostile);
  });

  it('shards paths so that a million signers need at most about 100 files per folder', () => {
    expect(signatureRelativePath(1234567)).toBe('67/45/1234567.md');
    expect(signatureRelativePath(7)).toBe('07/00/7.md');
    const perFolder = new Map<string, number>();
    for (let id = 1; id <= 1_000_000; id += 1) {
      const folder = signatureRelativePath(id).slice(0, 5);
      perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
    }
    expect(perFolder.size).toBe(10_000);
    expect(Math.max(...perFolder.values())).toBe(100);
  });

  it('rejects a file whose user id does not match where it is stored', () => {
    const parsed = parseSignatureFile(renderSignatureFile(anna), signatureRelativePath(999));
    expect(parsed).toEqual({ ok: false, problem: 'user_id 1234567 does not match the file name (999)' });
    expect(userIdFromRelativePath('67/45/1234567.md')).toBe(1234567);
    expect(userIdFromRelativePath('00/00/1234567.md')).toBeUndefined();
  });

  it.each([
    ['a bidi override in the name', { name: 'Anna \u202Eevil' }, 'name contains bidi characters'],
    ['a zero-width space in the name', { name: 'An\u200Bna' }, 'name contains invisible characters'],
    ['a formula in the name', { name: '=HYPERLINK("x")' }, 'name starts with = + - or @'],
    ['a 10,000-character name', { name: 'A'.repeat(10_000) }, 'name is longer than 100 characters'],
    ['an unknown country', { country: 'ZZ' }, 'country is not an ISO 3166-1 alpha-2 code'],
    ['a bad time', { signed_at: 'yesterday' }, 'signed_at is not a UTC time like 2026-11-23T19:00:00Z'],
  ])('rejects %s with a reason', (_label, change, problem) => {
    const parsed = parseSignatureFile(renderSignatureFile({ ...anna, ...change }), signatureRelativePath(anna.user_id));
    expect(parsed).toEqual({ ok: false, problem });
  });

  it('rejects front matter that is not YAML or has extra fields', () => {
    const path = signatureRelativePath(anna.user_id);
    expect(parseSignatureFile('---\nname: [unclosed\n---\n', path).ok).toBe(false);
    const extra = renderSignatureFile(anna).replace('issue: 42', 'issue: 42\nadmin: true');
    expect(parseSignatureFile(extra, path)).toEqual({ ok: false, problem: 'unexpected field(s): admin' });
  });
});
