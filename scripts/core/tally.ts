/**
 * Counting signatures: the numbers on the site and in data/tally.json, and a digest that anyone
 * who clones the repository can recompute. Pure: records and the clock are passed in.
 */
import { createHash } from 'node:crypto';
import { countryName } from './countries.ts';
import { isPetitionOpen, type Settings } from './settings.ts';
import {
  channelOf,
  isOffline,
  type Channel,
  type OfflineSignatureRecord,
  type PetitionRecord,
} from './offline-signature.ts';
import type { SignatureRecord } from './signature-file.ts';

export interface CountryTally {
  code: string;
  name: string;
  signature_count: number;
}

export interface DayTally {
  /** YYYY-MM-DD, UTC. */
  date: string;
  signature_count: number;
}

/** The published tally: the shape of _site/data/tally.json. */
export interface Tally {
  title: string;
  signature_count: number;
  country_count: number;
  goal: number;
  /** Whole percent of the goal reached, capped at 100 for progress bars. */
  goal_percent: number;
  state: 'open' | 'closed';
  is_open: boolean;
  closing_date: string;
  /** How many signed through each channel: GitHub, paper sheets, email. */
  signatures_by_channel: Record<Channel, number>;
  signatures_by_country: CountryTally[];
  signatures_by_day: DayTally[];
  updated_at: string;
  digest: { algorithm: 'sha256'; value: string; description: string };
}

/** The public fields in a fixed order: what the digest covers and what the open data lists. */
export function canonicalRecord(record: SignatureRecord): Record<string, string | number> {
  return {
    user_id: record.user_id,
    login: record.login,
    name: record.name,
    country: record.country,
    issue: record.issue,
    signed_at: record.signed_at,
    letter_sha256: record.letter_sha256,
    reason: record.reason,
  };
}

/**
 * The public fields of an offline signature in a fixed order, for the digest. The id stands for
 * the contact's keyed hash; the contact itself is in no file.
 */
export function canonicalOfflineRecord(record: OfflineSignatureRecord): Record<string, string | number> {
  return {
    channel: record.channel,
    id: record.id,
    name: record.name,
    country: record.country,
    signed_at: record.signed_at,
    batch: record.batch,
    row: record.row,
    collector: record.collector,
    letter_sha256: record.letter_sha256,
    reason: record.reason,
  };
}

export const DIGEST_DESCRIPTION =
  'SHA-256 of the signature records sorted by user_id, each written as one line of JSON with the keys ' +
  'user_id, login, name, country, issue, signed_at, letter_sha256, reason in that order, every line ending in "\\n"; ' +
  'then the paper and email signatures sorted by id (code unit order), each one line of JSON with the keys ' +
  'channel, id, name, country, signed_at, batch, row, collector, letter_sha256, reason in that order.';

/**
 * SHA-256 over the canonical, sorted records (see {@link DIGEST_DESCRIPTION}); order of input does
 * not matter. GitHub records come first, exactly as before offline signatures existed, so a
 * repository with only GitHub signatures keeps the digest it always had.
 */
export function signatureDigest(records: readonly PetitionRecord[]): string {
  const hash = createHash('sha256');
  const github: SignatureRecord[] = [];
  const offline: OfflineSignatureRecord[] = [];
  for (const record of records) {
    if (isOffline(record)) offline.push(record);
    else github.push(record);
  }
  // Lines are hashed in chunks of about 64 KB: a million calls to update() cost more than the hashing.
  let chunk = '';
  const add = (line: string) => {
    chunk += line;
    if (chunk.length > 65536) {
      hash.update(chunk);
      chunk = '';
    }
  };
  for (const record of github.sort((a, b) => a.user_id - b.user_id)) add(canonicalLine(record));
  for (const record of offline.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    add(`${JSON.stringify(canonicalOfflineRecord(record))}\n`);
  hash.update(chunk);
  return hash.digest('hex');
}

const json = JSON.stringify;

/**
 * `JSON.stringify(canonicalRecord(record))` and a line end, written out: the same text (user_id
 * and issue are whole numbers, which JSON writes as String does) without building an object per
 * record, which was most of the digest's cost at a million signatures.
 */
export function canonicalLine(record: SignatureRecord): string {
  return (
    `{"user_id":${record.user_id},"login":${json(record.login)},"name":${json(record.name)},` +
    `"country":${json(record.country)},"issue":${record.issue},"signed_at":${json(record.signed_at)},` +
    `"letter_sha256":${json(record.letter_sha256)},"reason":${json(record.reason)}}\n`
  );
}

/** A key that orders records of every channel: GitHub ids as numbers first, then offline ids. */
function compareKeys(a: PetitionRecord, b: PetitionRecord): number {
  const offlineA = isOffline(a);
  const offlineB = isOffline(b);
  if (!offlineA && !offlineB) return a.user_id - b.user_id;
  if (offlineA && offlineB) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return offlineA ? 1 : -1;
}

/** The letter's digest lives with the letter archive; re-exported for the callers that count. */
export { letterDigest } from './letter-archive.ts';

/**
 * Sorts newest first, ties by key (GitHub user id, then offline id), so pages and feeds are stable
 * between builds. An offline signature's date ("2026-11-23") sorts before every GitHub signature of
 * the same day ("2026-11-23T…"): we know its day, not its hour.
 */
export function newestFirst<R extends PetitionRecord>(records: readonly R[]): R[] {
  return [...records].sort((a, b) =>
    a.signed_at < b.signed_at ? 1 : a.signed_at > b.signed_at ? -1 : compareKeys(b, a),
  );
}

/** Computes the published tally. Records must already be one per user id or offline id (the loader ensures it). */
export function computeTally(records: readonly PetitionRecord[], settings: Settings, now: Date): Tally {
  const byCountry = new Map<string, number>();
  const byDay = new Map<string, number>();
  const byChannel: Record<Channel, number> = { github: 0, paper: 0, email: 0 };
  for (const record of records) {
    byChannel[channelOf(record)] += 1;
    byCountry.set(record.country, (byCountry.get(record.country) ?? 0) + 1);
    const day = record.signed_at.slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? 0) + 1);
  }
  const signatures_by_country = [...byCountry]
    .map(([code, signature_count]) => ({ code, name: countryName(code), signature_count }))
    .sort((a, b) => b.signature_count - a.signature_count || a.name.localeCompare(b.name, 'en'));
  const signatures_by_day = [...byDay]
    .map(([date, signature_count]) => ({ date, signature_count }))
    .sort((a, b) => (a.date < b.date ? -1 : 1));
  return {
    title: settings.title,
    signature_count: records.length,
    country_count: byCountry.size,
    goal: settings.goal,
    goal_percent: Math.min(100, Math.floor((records.length / settings.goal) * 100)),
    state: settings.state,
    is_open: isPetitionOpen(settings, now),
    closing_date: settings.closing_date,
    signatures_by_channel: byChannel,
    signatures_by_country,
    signatures_by_day,
    updated_at: now.toISOString(),
    digest: { algorithm: 'sha256', value: signatureDigest(records), description: DIGEST_DESCRIPTION },
  };
}
