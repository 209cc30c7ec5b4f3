/**
 * Counting signatures: the numbers on the site and in data/tally.json, and a digest that anyone
 * who clones the repository can recompute. Pure: records and the clock are passed in.
 */
import { createHash } from 'node:crypto';
import { countryName } from './countries.ts';
import { isPetitionOpen, type Settings } from './settings.ts';
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

export const DIGEST_DESCRIPTION =
  'SHA-256 of the signature records sorted by user_id, each written as one line of JSON with the keys ' +
  'user_id, login, name, country, issue, signed_at, letter_sha256, reason in that order, every line ending in "\\n".';

/** SHA-256 over the canonical, sorted records (see {@link DIGEST_DESCRIPTION}); order of input does not matter. */
export function signatureDigest(records: readonly SignatureRecord[]): string {
  const hash = createHash('sha256');
  for (const record of [...records].sort((a, b) => a.user_id - b.user_id)) {
    hash.update(`${JSON.stringify(canonicalRecord(record))}\n`);
  }
  return hash.digest('hex');
}

/** SHA-256 of the letter as signers read it, with line ends and surrounding space normalised. */
export function letterDigest(letterText: string): string {
  return createHash('sha256').update(letterText.replace(/\r\n?/g, '\n').trim(), 'utf8').digest('hex');
}

/** Sorts newest first, ties by user id, so pages and feeds are stable between builds. */
export function newestFirst(records: readonly SignatureRecord[]): SignatureRecord[] {
  return [...records].sort((a, b) =>
    a.signed_at < b.signed_at ? 1 : a.signed_at > b.signed_at ? -1 : b.user_id - a.user_id,
  );
}

/** Computes the published tally. Records must already be one per user id (the loader ensures it). */
export function computeTally(records: readonly SignatureRecord[], settings: Settings, now: Date): Tally {
  const byCountry = new Map<string, number>();
  const byDay = new Map<string, number>();
  for (const record of records) {
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
    signatures_by_country,
    signatures_by_day,
    updated_at: now.toISOString(),
    digest: { algorithm: 'sha256', value: signatureDigest(records), description: DIGEST_DESCRIPTION },
  };
}
