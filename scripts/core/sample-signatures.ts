/**
 * Made-up signatures for the demo, tests and benchmarks: realistic names in many scripts,
 * many countries, reasons on some. Deterministic for a given seed. Never for signatures/.
 */
import { rowId, type OfflineSignatureRecord } from './offline-signature.ts';
import type { SignatureRecord } from './signature-file.ts';

const GIVEN = [
  'Anna',
  'Mikhail',
  'Olga',
  'Li',
  'Wei',
  'Fang',
  'Sofia',
  'Lucas',
  'Amara',
  'Kenji',
  'Yuki',
  'Fatima',
  'Omar',
  'Priya',
  'Arjun',
  'Zoë',
  'José',
  'Siobhán',
  'Ngozi',
  'Lars',
  'Анна',
  'Дмитрий',
  'Екатерина',
  '王',
  '李',
  '张',
  '小明',
  'فاطمة',
  'محمد',
  'Ayşe',
  'Nguyễn',
  'Søren',
  "D'Arcy",
  'Jean-Luc',
  'Chloé',
  'Mateus',
  'Aigerim',
  'Батбаяр',
];
const FAMILY = [
  'P.',
  'Ivanova',
  'Smirnov',
  'Chen',
  'Wang',
  'García',
  'Müller',
  "O'Brien",
  'Nakamura',
  'Okafor',
  'Singh',
  'Kowalska',
  'Иванов',
  'Петрова',
  '伟',
  '娜',
  'العلي',
  'Yılmaz',
  'Văn An',
  'Andersen',
  'Dubois',
  'Silva',
  'Nurlanovna',
  'Дорж',
  'K.',
  '',
];
const COUNTRIES = [
  'RU',
  'RU',
  'RU',
  'CN',
  'CN',
  'CN',
  'US',
  'GB',
  'DE',
  'FR',
  'JP',
  'KR',
  'IN',
  'BR',
  'KZ',
  'MN',
  'NG',
  'UA',
  'PL',
  'ES',
  'IT',
  'CA',
  'AU',
  'TR',
  'VN',
  'EG',
  'SA',
  'SE',
  'DK',
  'IE',
  'MX',
  'AR',
  'ZA',
  'KE',
  'NL',
  'HK',
  'TW',
];
/**
 * Neutral reasons for samples of a petition without content/samples.yml (scripts/store/samples.ts),
 * in a few languages and scripts so the demo shows how they are laid out.
 */
export const DEFAULT_SAMPLE_REASONS: readonly string[] = [
  'I signed because this matters to me and to my neighbours.',
  'For my children.',
  'Я подписала, потому что это важно.',
  '我支持这封信。',
  'Es importante para todos nosotros.',
  'Thank you for organising this letter.',
];

/** A small, fast pseudo-random generator (mulberry32) so samples are the same on every run. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generates `count` distinct signature records signed over the `days` days before `until`,
 * with GitHub-like user ids (unique, spread over 1..200,000,000).
 */
export function generateSampleRecords(
  count: number,
  {
    seed = 1,
    until = new Date('2026-11-23T19:00:00Z'),
    days = 60,
    letterSha256 = '',
    reasons = DEFAULT_SAMPLE_REASONS,
  }: { seed?: number; until?: Date; days?: number; letterSha256?: string; reasons?: readonly string[] } = {},
): SignatureRecord[] {
  const random = randomSource(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const ids = new Set<number>();
  const records: SignatureRecord[] = [];
  const span = days * 24 * 60 * 60 * 1000;
  while (records.length < count) {
    const user_id = 1 + Math.floor(random() * 200_000_000);
    if (ids.has(user_id)) continue;
    ids.add(user_id);
    const given = pick(GIVEN);
    const family = pick(FAMILY);
    const signedAt = new Date(until.getTime() - Math.floor(random() * span));
    signedAt.setUTCMilliseconds(0);
    records.push({
      name: family ? `${given} ${family}` : given,
      country: pick(COUNTRIES),
      login: `signer-${user_id.toString(36)}`,
      user_id,
      issue: records.length + 1,
      signed_at: signedAt.toISOString().replace('.000Z', 'Z'),
      letter_sha256: letterSha256,
      reason: random() < 0.25 ? pick(reasons) : '',
    });
  }
  return records;
}

/**
 * Generates `count` made-up paper and email signatures (about four in five on paper) in batches
 * of 40, as `npm run add-signatures` would have written them: ids from the batch and row.
 */
export function generateOfflineSampleRecords(
  count: number,
  {
    seed = 2,
    until = new Date('2026-11-23T19:00:00Z'),
    days = 60,
    reasons = DEFAULT_SAMPLE_REASONS,
  }: { seed?: number; until?: Date; days?: number; reasons?: readonly string[] } = {},
): OfflineSignatureRecord[] {
  const random = randomSource(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const collectors = ['Maria K.', 'Ivan T.', 'Li Na', 'Sophie M.'];
  const records: OfflineSignatureRecord[] = [];
  for (let index = 0; index < count; index += 1) {
    const batchNumber = Math.floor(index / 40);
    const channel = batchNumber % 5 === 4 ? 'email' : 'paper';
    const batch = `sample-${channel}-${batchNumber + 1}`;
    const row = (index % 40) + 2; // line 1 is the header
    const given = pick(GIVEN);
    const family = pick(FAMILY);
    records.push({
      channel,
      id: rowId(batch, row),
      name: family ? `${given} ${family}` : given,
      country: pick(COUNTRIES),
      signed_at: new Date(until.getTime() - Math.floor(random() * days) * 86_400_000).toISOString().slice(0, 10),
      batch,
      row,
      collector: collectors[batchNumber % collectors.length]!,
      letter_sha256: '',
      reason: random() < 0.25 ? pick(reasons) : '',
    });
  }
  return records;
}
