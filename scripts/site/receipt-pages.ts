/**
 * The receipt pages, /<lang>/signatures/find/<000–999>/: the link the bot posts with each receipt
 * (scripts/core/signature-list.ts, signatureReceiptPath) lands on the page of the signer's id,
 * in the signer's language, which sends them on to their entry in the full list. The full list is
 * numbered from the oldest signature, so a paper batch dated in the past, a withdrawal or a
 * moderation moves later entries to other pages; the receipt data is rebuilt with the list, so a
 * receipt link always leads to where the entry is now.
 *
 * The pages are frames, the same at any count; what they look up is the receipt data,
 * data/receipts/<000–999>.csv.gz: each GitHub signer's id with the page of the list their entry
 * is on, one file for each page, shared by every language (assets/js/find-entry.js reads it).
 * As lines of HTML in the default language only, the receipt pages were 57 bytes a signer, the
 * second largest part of the site at a million signatures; compressed, the data is about 6.
 *
 * Pure.
 */
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import { RECEIPT_BUCKETS, signatureListPage } from '../core/signature-list.ts';

/** One receipt page, for the templates: its number (0–999) and its key in the URL ("042"). */
export interface ReceiptPage {
  number: number;
  key: string;
}

/** Where the receipt data lives in the site, and its header row. */
export const RECEIPT_DATA = {
  folder: 'data/receipts',
  suffix: '.csv.gz',
  header: 'user_id,list_page\r\n',
} as const;

/** Where receipt page `key`'s data is in the site, from its root: "data/receipts/042.csv.gz". */
export function receiptDataPath(key: string): string {
  return `${RECEIPT_DATA.folder}/${key}${RECEIPT_DATA.suffix}`;
}

/** The receipt pages that list someone: those of the GitHub ids among `records`, in order. */
export function receiptPages(records: readonly PetitionRecord[]): ReceiptPage[] {
  const used = new Uint8Array(RECEIPT_BUCKETS);
  for (const record of records) if (!isOffline(record)) used[record.user_id % RECEIPT_BUCKETS] = 1;
  const pages: ReceiptPage[] = [];
  for (let number = 0; number < RECEIPT_BUCKETS; number += 1)
    if (used[number]) pages.push({ number, key: String(number).padStart(3, '0') });
  return pages;
}

/** Every receipt page's data, made on demand from one pass over the list. */
export interface ReceiptIndex {
  /**
   * Receipt page `number`'s data as CSV (RFC 4180, CRLF): the header, then a row for each of its
   * GitHub signers, their user id and the page of the full list their entry is on, ids in
   * increasing order. A page no one is on gives the header alone.
   */
  csv(number: number): string;
}

/**
 * Groups the GitHub signers by receipt page with where each is in the full list. `newest` is
 * every signature newest first (rank r is `newest[newest.length - r]`), as the list pages read it.
 * Typed arrays, not an object per signer: a million of them would cost far more.
 */
export function receiptIndex(newest: readonly PetitionRecord[], perPage: number): ReceiptIndex {
  const count = newest.length;
  const starts = new Int32Array(RECEIPT_BUCKETS + 1);
  for (const record of newest) if (!isOffline(record)) starts[(record.user_id % RECEIPT_BUCKETS) + 1]! += 1;
  for (let b = 0; b < RECEIPT_BUCKETS; b += 1) starts[b + 1]! += starts[b]!;
  const filled = starts.slice(0, RECEIPT_BUCKETS);
  const ids = new Float64Array(starts[RECEIPT_BUCKETS]!);
  const pages = new Int32Array(ids.length);
  for (let index = 0; index < count; index += 1) {
    const record = newest[index]!;
    if (isOffline(record)) continue;
    const at = filled[record.user_id % RECEIPT_BUCKETS]!++;
    ids[at] = record.user_id;
    pages[at] = signatureListPage(count - index, perPage);
  }
  return {
    csv(number) {
      let text: string = RECEIPT_DATA.header;
      if (!Number.isInteger(number) || number < 0 || number >= RECEIPT_BUCKETS) return text;
      const from = starts[number]!;
      const order = Array.from({ length: starts[number + 1]! - from }, (_, i) => from + i).sort(
        (a, b) => ids[a]! - ids[b]!,
      );
      for (const at of order) text += `${ids[at]},${pages[at]}\r\n`;
      return text;
    },
  };
}
