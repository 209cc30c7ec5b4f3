/**
 * The receipt pages, /signatures/find/<000–999>/: the link the bot posts with each receipt
 * (scripts/core/signature-list.ts, signatureReceiptPath) lands on the page of the signer's id
 * at their line, which links to their entry in the full list. The full list is numbered from the
 * oldest signature, so a paper batch dated in the past, a withdrawal or a moderation moves later
 * entries to other pages; these pages are rebuilt with the list, so the line always links to
 * where the entry is now. With JavaScript the page follows the link itself (assets/js/find-entry.js);
 * without, the line is highlighted and one click away.
 *
 * Written after the build like the list's entries (scripts/site/bulk-pages.ts): at 1,000,000
 * signatures about 57 bytes a signer (a line per GitHub id) and 1,000 pages of about 60 KB, each
 * with the site's 4 KB frame. Pure.
 */
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import { RECEIPT_BUCKETS, receiptBucket, signatureListPage } from '../core/signature-list.ts';

/** One receipt page, for the templates: its number (0–999) and its key in the URL ("042"). */
export interface ReceiptPage {
  number: number;
  key: string;
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

/** Every receipt page's lines, made on demand from one pass over the list. */
export interface ReceiptIndex {
  /** The lines of receipt page `number`, ids in increasing order, each after a line break. */
  entriesHtml(number: number): string;
  /** The same lines handed to `emit` one at a time. */
  forEachEntry(number: number, emit: (html: string) => void): void;
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
  const forEachEntry = (number: number, emit: (html: string) => void) => {
    if (!Number.isInteger(number) || number < 0 || number >= RECEIPT_BUCKETS) return;
    const from = starts[number]!;
    const order = Array.from({ length: starts[number + 1]! - from }, (_, i) => from + i).sort(
      (a, b) => ids[a]! - ids[b]!,
    );
    for (const at of order) emit(`\n<li id="s${ids[at]}"><a href="../../${pages[at]}/#s${ids[at]}">${ids[at]}</a>`);
  };
  return {
    entriesHtml(number) {
      let html = '';
      forEachEntry(number, (line) => (html += line));
      return html;
    },
    forEachEntry,
  };
}

export { receiptBucket };
