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
import { Utf8Builder } from './utf8-builder.ts';

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

/** How many bytes of lines the digest hashes at a time. */
const DIGEST_CHUNK_BYTES = 1 << 20;

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
  // Lines are hashed a megabyte at a time: a million calls to update() cost more than the hashing.
  const chunk = new Utf8Builder(DIGEST_CHUNK_BYTES + 64 * 1024);
  const add = (line: string) => {
    chunk.append(line);
    if (chunk.byteLength >= DIGEST_CHUNK_BYTES) {
      hash.update(chunk.view());
      chunk.clear();
    }
  };
  for (const record of byUserId(github)) add(canonicalLine(record));
  for (const record of offline.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))
    add(`${JSON.stringify(canonicalOfflineRecord(record))}\n`);
  hash.update(chunk.view());
  return hash.digest('hex');
}

/** Text that JSON writes as it is, between quotes: no quote, backslash, control character or surrogate. */
const PLAIN_JSON_TEXT = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
/** `JSON.stringify(text)`, without its cost for the text that needs no escape. */
const json = (text: string) => (PLAIN_JSON_TEXT.test(text) ? `"${text}"` : JSON.stringify(text));

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
  return byTimeKeys(records) ?? [...records].sort((a, b) => newerFirst(a, b));
}

/** The order of {@link newestFirst}, as one comparison. */
function newerFirst(a: PetitionRecord, b: PetitionRecord): number {
  return a.signed_at < b.signed_at ? 1 : a.signed_at > b.signed_at ? -1 : compareKeys(b, a);
}

/*
 * A million records sorted by a comparison function cost seconds of a build. Sorted instead as
 * numbers (a typed array's sort, in C++), each a key and the record's index in one exact double:
 * the key in the high bits, the index in the low 22 (up to 4,194,304 records). Where a key does
 * not fit, the comparison sort runs: the order is the same either way (tested).
 */
const INDEX_BITS = 2 ** 22;
const KEY_LIMIT = 2 ** 31;

/** GitHub records by user id, increasing. */
function byUserId(records: SignatureRecord[]): SignatureRecord[] {
  const count = records.length;
  if (count >= INDEX_BITS || records.some((record) => record.user_id >= KEY_LIMIT))
    return records.sort((a, b) => a.user_id - b.user_id);
  const packed = new Float64Array(count);
  for (let index = 0; index < count; index += 1) packed[index] = records[index]!.user_id * INDEX_BITS + index;
  packed.sort();
  return inPackedOrder(records, packed);
}

/** The records in the order of their packed keys (the index in each key's low bits). */
function inPackedOrder<R>(records: readonly R[], packed: Float64Array): R[] {
  const sorted = new Array<R>(packed.length);
  for (let at = 0; at < packed.length; at += 1) sorted[at] = records[packed[at]! % INDEX_BITS]!;
  return sorted;
}

/**
 * The half-seconds of a time the way its text sorts: "2026-11-23T19:00:00Z" at twice its second,
 * a day "2026-11-23" one half-second before its midnight (after the day before, before its own
 * first second). Any other text (fractions of a second) gives undefined.
 */
function timeKey(text: string): number | undefined {
  if (text.length !== 20 && text.length !== 10) return undefined;
  const day = Date.UTC(digitsAt(text, 0, 4), digitsAt(text, 5, 7) - 1, digitsAt(text, 8, 10)) / 1000;
  if (text.length === 10) return day * 2 - 1;
  if (text[10] !== 'T' || text[19] !== 'Z') return undefined;
  return (day + digitsAt(text, 11, 13) * 3600 + digitsAt(text, 14, 16) * 60 + digitsAt(text, 17, 19)) * 2;
}

/** The number the decimal digits of `text` from `from` to `to` write, NaN when one is not a digit. */
function digitsAt(text: string, from: number, to: number): number {
  let value = 0;
  for (let at = from; at < to; at += 1) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** {@link newestFirst} as a numeric sort, or undefined when some time has no key that fits. */
function byTimeKeys<R extends PetitionRecord>(records: readonly R[]): R[] | undefined {
  const count = records.length;
  if (count >= INDEX_BITS) return undefined;
  const keys = new Float64Array(count);
  let oldest = Infinity;
  for (let index = 0; index < count; index += 1) {
    const key = timeKey(records[index]!.signed_at);
    if (key === undefined || Number.isNaN(key)) return undefined;
    keys[index] = key;
    if (key < oldest) oldest = key;
  }
  const packed = new Float64Array(count);
  for (let index = 0; index < count; index += 1) {
    const offset = keys[index]! - oldest;
    if (offset >= KEY_LIMIT) return undefined;
    // Newest first: the offset counted back from the limit.
    packed[index] = (KEY_LIMIT - 1 - offset) * INDEX_BITS + index;
  }
  packed.sort();
  const sorted = inPackedOrder(records, packed);
  // Records of the same instant are few: each such run is put in key order by the comparison.
  for (let start = 0; start < count;) {
    let end = start + 1;
    while (end < count && sorted[end]!.signed_at === sorted[start]!.signed_at) end += 1;
    if (end - start > 1) {
      const run = sorted.slice(start, end).sort((a, b) => newerFirst(a, b));
      for (let at = start; at < end; at += 1) sorted[at] = run[at - start]!;
    }
    start = end;
  }
  return sorted;
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
