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

/**
 * How many receipt pages the signers' GitHub ids are spread over. Fixed for good: a receipt link,
 * once posted, must find its page whatever the count becomes. At 1,000,000 signatures each page
 * lists about 1,000 signers (about 55 KB); below 1,000 signatures most pages list one or two.
 */
export const RECEIPT_BUCKETS = 1000;

/** The receipt page (000–999) that lists a GitHub user id: the id's last three digits. */
export function receiptBucket(userId: number): string {
  if (!Number.isSafeInteger(userId) || userId <= 0) throw new Error(`Not a GitHub user id: ${userId}`);
  return String(userId % RECEIPT_BUCKETS).padStart(3, '0');
}

/**
 * Site-relative URL (no leading slash, before the path prefix) of the receipt link the bot posts:
 * the receipt page of the signer's id, at their line, which links to their entry in the full list
 * wherever it is now. Unlike {@link signatureEntryPath} it depends on nothing but the id, so it
 * keeps working when paper batches dated in the past, withdrawals or moderation move the entry
 * to another page.
 */
export function signatureReceiptPath(userId: number): string {
  return `signatures/find/${receiptBucket(userId)}/#${signatureEntryId(userId)}`;
}
