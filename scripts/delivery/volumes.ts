/**
 * Splitting the signatures into volumes of a bounded size, so that any count prints: a PDF or a
 * web page of 10,000 names prints in seconds where one of 100,000 did not print at all. Pure.
 *
 * Volumes follow the ranks of the full list on the site (rank 1 is the oldest signature; ties by
 * user id), so "volume 3" holds the same people in the PDF, on the web and in a later recount.
 */
import type { PetitionRecord } from '../core/offline-signature.ts';
import { newestFirst } from '../core/tally.ts';
import { signatureDigest } from '../core/tally.ts';

export interface Volume {
  /** 1-based. */
  number: number;
  /** Rank of the first and last signature it holds (rank 1 = the oldest). */
  firstRank: number;
  lastRank: number;
  /** Oldest first. */
  records: PetitionRecord[];
  /** SHA-256 of these records, computed as the tally's digest is (see DIGEST_DESCRIPTION). */
  digest: string;
}

/** Oldest first: exactly the reverse of the site's newest-first order, so ranks agree. */
export function oldestFirst(records: readonly PetitionRecord[]): PetitionRecord[] {
  return newestFirst(records).reverse();
}

/**
 * Splits `records` (any order, one per user id) into volumes of at most `size` signatures,
 * oldest first. No signatures means no volumes: the packet is then the letter alone.
 */
export function splitIntoVolumes(records: readonly PetitionRecord[], size: number): Volume[] {
  if (!Number.isInteger(size) || size < 1)
    throw new Error(`The volume size must be a whole number from 1, not ${size}.`);
  const sorted = oldestFirst(records);
  const volumes: Volume[] = [];
  for (let start = 0; start < sorted.length; start += size) {
    const slice = sorted.slice(start, start + size);
    volumes.push({
      number: volumes.length + 1,
      firstRank: start + 1,
      lastRank: start + slice.length,
      records: slice,
      digest: signatureDigest(slice),
    });
  }
  return volumes;
}

/** "volume-03" for volume 3 of 12: zero-padded so the files sort in order (at least two digits). */
export function volumeStem(number: number, total: number): string {
  return `volume-${String(number).padStart(Math.max(2, String(total).length), '0')}`;
}
