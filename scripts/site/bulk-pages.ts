/**
 * The pages that grow with the number of signatures, the printable volumes
 * (/letter/delivery/<n>/), are built in two halves. Eleventy renders each page's frame (layout,
 * headings) with a marker where the rows go; after the build, scripts/site/bulk-output.ts writes
 * each page again with the rows in place of the marker. (The full list's pages and the receipt
 * pages hold no entries: the reader's browser draws them from the open data's part of the page,
 * content/assets/js/signature-list.js, and looks ids up in the receipt data,
 * content/assets/js/find-entry.js.)
 *
 * Why: at 1,000,000 signatures the entries are about 350 MB of HTML. Handed to Eleventy as data
 * they were held in memory all at once (its results keep every page's content), and its
 * HtmlBasePlugin parsed every byte of them to add the path prefix, when they hold no link that
 * needs one. The build ran out of memory at 4 GB. Each page's entries now exist only while that
 * page is written.
 *
 * Pure: finding markers and rendering one page's entries.
 */
import type { PetitionRecord } from '../core/offline-signature.ts';
import { signerHtmlRenderer, type SignerHtmlOptions } from './signer-html.ts';

/** The kinds of page whose entries are written after the build. */
export type BulkKind = 'volume';

/** What a template writes where a page's entries go: `<!--petition-bulk:volume:3-->`. */
export function bulkMarker(kind: BulkKind, number: number): string {
  return `<!--petition-bulk:${kind}:${number}-->`;
}

const MARKER_START = '<!--petition-bulk:';
// Bounded and anchored at a known start: linear, and it never runs over signer text, which is
// escaped ("<" is "&lt;") and so can never contain a marker.
const MARKER = /^<!--petition-bulk:(volume):(\d{1,9})-->/;

/** A page frame cut at its marker. */
export interface MarkedPage {
  kind: BulkKind;
  number: number;
  before: string;
  after: string;
}

/**
 * Cuts a rendered page at its marker, or returns undefined for a page without one. A page with
 * two markers, or a malformed one, is a template error and throws.
 */
export function findMarker(content: string): MarkedPage | undefined {
  const start = content.indexOf(MARKER_START);
  if (start < 0) return undefined;
  const match = MARKER.exec(content.slice(start, start + 48));
  if (!match)
    throw new Error(`A malformed ${MARKER_START}…--> marker: ${JSON.stringify(content.slice(start, start + 48))}`);
  const end = start + match[0].length;
  if (content.includes(MARKER_START, end)) throw new Error('A page holds two petition-bulk markers; it may hold one.');
  return {
    kind: match[1] as BulkKind,
    number: Number(match[2]),
    before: content.slice(0, start),
    after: content.slice(end),
  };
}

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
 * A page's entries: a volume's table rows oldest first, signer text escaped
 * (scripts/site/signer-html.ts), the first row of each list page's signatures marked with an id
 * (`r<rank>`) that the list page links to for readers without JavaScript.
 */
export function bulkEntriesHtml(source: BulkSource, kind: BulkKind, number: number): string {
  let html = '';
  forEachBulkEntry(source, kind, number, (entry) => (html += entry));
  return html;
}

/**
 * The entries {@link bulkEntriesHtml} joins, handed to `emit` one at a time, for a writer that
 * encodes each as it comes (scripts/core/utf8-builder.ts says why).
 */
export function forEachBulkEntry(
  source: BulkSource,
  kind: BulkKind,
  number: number,
  emit: (html: string) => void,
): void {
  const { first, last } = bulkRanks(number, source.newest.length, source.volumeSize);
  const renderer = rendererOf(source);
  for (let rank = first; rank <= last; rank += 1)
    emit(renderer.deliveryRow(recordOfRank(source, rank), rank, (rank - 1) % source.perPage === 0));
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
