/**
 * Where a signature appears in the full list. Pages are numbered from the oldest signature, so
 * a page's URL and a signer's place on it stay put as new signatures arrive: the processor can
 * link a receipt to the signer's entry before the site is even rebuilt. Each page shows its own
 * signatures newest first, and /signatures/ shows the newest page.
 */

/** The page (1-based) that holds the signature ranked `rank` (1 = the oldest signature). */
export function signatureListPage(rank: number, perPage: number): number {
  if (!Number.isInteger(rank) || rank < 1) throw new Error(`rank must be a whole number from 1, not ${rank}`);
  return Math.ceil(rank / perPage);
}

/** The element id of a signer's entry: stable across builds because user ids never change. */
export function signatureEntryId(userId: number): string {
  return `s${userId}`;
}

/** Site-relative URL (no leading slash, before the path prefix) of a signer's entry in the list. */
export function signatureEntryPath(rank: number, userId: number, perPage: number): string {
  return `signatures/${signatureListPage(rank, perPage)}/#${signatureEntryId(userId)}`;
}
