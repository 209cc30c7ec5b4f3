/**
 * The signatures as the pages show them, held from the data step to the end of the build. No page
 * holds them: the full list's pages, the printable volumes (/letter/delivery/<n>/) and the receipt
 * pages are frames whose entries the reader's browser draws from the open data's parts
 * (content/assets/js/signature-list.js) and the receipt data (content/assets/js/find-entry.js).
 * The markup here is what those scripts draw, element for element: the tests hold them to it.
 *
 * Why: at 1,000,000 signatures the entries were about 350 MB of HTML in the list pages, and the
 * volumes' rows another 76 MB (76 bytes a signature), against GitHub Pages' 1 GB.
 *
 * Pure: ranks and one page's entries.
 */
import type { PetitionRecord } from '../core/offline-signature.ts';
import { signerHtmlRenderer, type SignerHtmlOptions } from './signer-html.ts';

/** Everything needed to write the entries of any page, held from the data step to the end of the build. */
export interface BulkSource {
  /** Every signature, newest first: rank r (1 = the oldest) is `newest[newest.length - r]`. */
  newest: readonly PetitionRecord[];
  /** Signatures per page of the full list (settings.signatures_per_page). */
  perPage: number;
  /** Signatures per printable volume (settings.delivery_volume_size). */
  volumeSize: number;
  /** How entries are written (scripts/site/signer-html.ts). */
  html: SignerHtmlOptions;
}

/** One renderer per source: it caches country names and dates. */
const renderers = new WeakMap<BulkSource, ReturnType<typeof signerHtmlRenderer>>();
function rendererOf(source: BulkSource): ReturnType<typeof signerHtmlRenderer> {
  let renderer = renderers.get(source);
  if (!renderer) renderers.set(source, (renderer = signerHtmlRenderer(source.html)));
  return renderer;
}

/** The record of a rank, 1 being the oldest signature. */
export function recordOfRank(source: BulkSource, rank: number): PetitionRecord {
  return source.newest[source.newest.length - rank]!;
}

/** How many list pages and printable volumes hold entries (none when no one has signed yet). */
export function bulkPageCounts(count: number, perPage: number, volumeSize: number): { list: number; volume: number } {
  return { list: Math.ceil(count / perPage), volume: Math.ceil(count / volumeSize) };
}

/** The ranks page `number` holds when pages hold `size` each, first to last (last < first when it holds none). */
export function bulkRanks(number: number, count: number, size: number): { first: number; last: number } {
  const first = (number - 1) * size + 1;
  return { first, last: Math.min(count, first + size - 1) };
}

/**
 * A printable volume's table rows, oldest first, signer text escaped
 * (scripts/site/signer-html.ts), the first row of each list page's signatures marked with an id
 * (`r<rank>`) that the list page links to: what content/assets/js/signature-list.js draws from
 * the open data's parts. The site does not publish it.
 */
export function volumeRowsHtml(source: BulkSource, number: number): string {
  const { first, last } = bulkRanks(number, source.newest.length, source.volumeSize);
  const renderer = rendererOf(source);
  let html = '';
  for (let rank = first; rank <= last; rank += 1)
    html += renderer.deliveryRow(recordOfRank(source, rank), rank, (rank - 1) % source.perPage === 0);
  return html;
}

/**
 * The entries of list page `number`, newest first, as HTML: what content/assets/js/signature-list.js
 * draws in the reader's browser from the page's part of the open data, element for element. The
 * site does not publish it (the entries were two thirds of its bytes); it is the markup that
 * script is held to (test/browser/signature-lists-in-languages.test.ts) and that the tests of the
 * entries' rules read.
 */
export function listEntriesHtml(source: BulkSource, number: number): string {
  const { first, last } = bulkRanks(number, source.newest.length, source.perPage);
  const renderer = rendererOf(source);
  let html = '';
  for (let rank = last; rank >= first; rank -= 1) html += renderer.listItem(recordOfRank(source, rank));
  return html;
}

/** The id of a volume's row that starts the signatures of a list page: "r12501". */
export function volumeRowId(rank: number): string {
  return `r${rank}`;
}
