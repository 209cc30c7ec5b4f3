/**
 * The open data: every signature as CSV, compressed, one part per page of the full list
 * (data/signatures/<n>.csv.gz holds the signatures of /signatures/<n>/), and an index
 * (data/signatures/index.json) that names each part with its ranks, row count, size and SHA-256.
 *
 * The list pages are drawn from these parts in the reader's browser (content/assets/js/
 * signature-list.js), so a part is what a phone fetches to show one page: at 500 rows about
 * 13 KB, a second on a slow mobile link, where a part of 10,000 rows (the former size) was about
 * 240 KB. Smaller parts compress a little worse (27 bytes a row against 25 at 10,000, measured on
 * generated signatures) and make more files (6,000 at 3,000,000 signatures), both cheap beside
 * the 290 bytes an entry cost as HTML. There is no file of all the signatures any more: at
 * 1,000,000 it was 25 MB, the most a published file should be, and at 3,000,000 74 MB.
 *
 * Pure: the rows and the index as strings. scripts/site/bulk-output.ts writes them.
 */
import { countryName } from '../core/countries.ts';
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import type { Tally } from '../core/tally.ts';
import { csvCell } from '../core/text.ts';
import { Utf8Builder } from '../core/utf8-builder.ts';

/**
 * Every field the tally's digest covers (scripts/core/tally.ts: canonicalRecord for GitHub
 * signatures, canonicalOfflineRecord for paper and email), plus the country's name: anyone can
 * recompute the digest from the CSV alone. A GitHub row leaves the offline columns empty (its
 * channel is "github"); an offline row leaves user_id, login and issue empty.
 */
export const CSV_COLUMNS = [
  'user_id',
  'login',
  'name',
  'country',
  'country_name',
  'issue',
  'signed_at',
  'letter_sha256',
  'reason',
  'channel',
  'id',
  'batch',
  'row',
  'collector',
] as const;

/** What starts every CSV file once uncompressed: a BOM, which tells Excel it is UTF-8, and the header row. */
export const CSV_HEADER = `\uFEFF${CSV_COLUMNS.join(',')}\r\n`;

/** Where the open data lives in the site. */
export const OPEN_DATA = {
  folder: 'data/signatures',
  index: 'data/signatures/index.json',
  partSuffix: '.csv.gz',
} as const;

/** Where part `number` is in the site, from its root: "data/signatures/3.csv.gz". */
export function openDataPartPath(number: number): string {
  return `${OPEN_DATA.folder}/${number}${OPEN_DATA.partSuffix}`;
}

/**
 * The format of the index, for readers that check what they are reading. Version 2: one part per
 * list page, each a single gzip member, and no file of all the signatures ("full").
 */
export const OPEN_DATA_FORMAT = 'petition-signatures/2';

/** Country names, looked up once per country rather than once per signature. */
export function countryNames(): (code: string) => string {
  const cache = new Map<string, string>();
  return (code) => {
    let name = cache.get(code);
    if (name === undefined) cache.set(code, (name = countryName(code)));
    return name;
  };
}

/**
 * One CSV record (the columns of {@link CSV_COLUMNS}) ending in CRLF, as RFC 4180 asks; every
 * cell neutralised for spreadsheets where it is written, whatever the loader let through (the
 * loader checks the fields' patterns, but this function does not rely on it): text through
 * csvCell, numbers only as positive whole numbers. `countryCell` gives a country code's name as a cell.
 */
export function csvRow(record: PetitionRecord, countryCell: (code: string) => string): string {
  const shared = `${csvCell(record.name)},${csvCell(record.country)},${countryCell(record.country)},`;
  return isOffline(record)
    ? `,,${shared},${csvCell(record.signed_at)},${csvCell(record.letter_sha256)},${csvCell(record.reason)},` +
        `${csvCell(record.channel)},${csvCell(record.id)},${csvCell(record.batch)},${wholeNumber(record.row)},${csvCell(record.collector)}\r\n`
    : `${wholeNumber(record.user_id)},${csvCell(record.login)},${shared}${wholeNumber(record.issue)},${csvCell(record.signed_at)},` +
        `${csvCell(record.letter_sha256)},${csvCell(record.reason)},github,,,,\r\n`;
}

/** A positive whole number as a cell, or an empty cell for anything else. */
function wholeNumber(value: unknown): string {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? String(value) : '';
}

/** Country names as CSV cells, made once per country rather than once per signature. */
export function countryCells(): (code: string) => string {
  const nameOf = countryNames();
  const cache = new Map<string, string>();
  return (code) => {
    let cell = cache.get(code);
    if (cell === undefined) cache.set(code, (cell = csvCell(nameOf(code))));
    return cell;
  };
}

/** The header's bytes, which start every part. */
const CSV_HEADER_BYTES = Buffer.from(CSV_HEADER, 'utf8');

/** One part of the CSV: its number, the ranks it holds (1 is the oldest signature) and its text. */
export class CsvPart {
  readonly number: number;
  readonly first: number;
  readonly last: number;
  /** The part's file before compression: the header and the rows, as UTF-8. */
  readonly bytes: Buffer;

  constructor(number: number, first: number, last: number, bytes: Buffer) {
    this.number = number;
    this.first = first;
    this.last = last;
    this.bytes = bytes;
  }

  /** The rows, without the header, as text. */
  get rows(): string {
    return this.bytes.toString('utf8', CSV_HEADER_BYTES.length);
  }
}

/**
 * The CSV parts, oldest signature first, `rowsPerPart` each (the list's signatures_per_page, so
 * part n holds the signatures of list page n): a part's contents change only when a signature in
 * it is withdrawn or an older one is added. `oldestFirst(rank)` gives the record of each rank, 1
 * to `count`. Nothing is held beyond the part being yielded. With no signatures there is one
 * empty part, as there is one list page saying no one has signed yet.
 */
export function* csvParts(
  count: number,
  oldestFirst: (rank: number) => PetitionRecord,
  rowsPerPart: number,
): Generator<CsvPart> {
  if (!Number.isSafeInteger(rowsPerPart) || rowsPerPart < 1)
    throw new Error(`A part holds a whole number of rows, at least 1 (not ${rowsPerPart}).`);
  const countryCell = countryCells();
  const builder = new Utf8Builder(CSV_HEADER_BYTES.length + Math.min(rowsPerPart, 10_000) * 256);
  if (count === 0) yield new CsvPart(1, 1, 0, Buffer.from(CSV_HEADER_BYTES));
  for (let number = 1, first = 1; first <= count; number += 1, first += rowsPerPart) {
    const last = Math.min(count, first + rowsPerPart - 1);
    yield new CsvPart(number, first, last, csvPartBytes(builder, first, last, oldestFirst, countryCell));
  }
}

/**
 * The header and the rows of ranks `first` to `last`, written as UTF-8 as they are made
 * (scripts/core/utf8-builder.ts says why). Outside the generator: V8 runs this loop about a
 * third faster in a plain function.
 */
function csvPartBytes(
  builder: Utf8Builder,
  first: number,
  last: number,
  oldestFirst: (rank: number) => PetitionRecord,
  countryCell: (code: string) => string,
): Buffer {
  builder.append(CSV_HEADER);
  for (let rank = first; rank <= last; rank += 1) builder.append(csvRow(oldestFirst(rank), countryCell));
  return builder.take();
}

/** What the index says of each file: where it is (relative to the index), how big, its SHA-256. */
export interface OpenDataFile {
  url: string;
  bytes: number;
  sha256: string;
}

/**
 * data/signatures/index.json: the count and digest of data/tally.json, the columns, and every
 * part with its ranks, rows and SHA-256, so a reader can fetch the parts, check each one and
 * recount (scripts/verify/recount.py --open-data does). One line a part: at 3,000,000 signatures
 * the index lists 6,000 of them in about 700 KB.
 */
export function openDataIndex(
  tally: Pick<Tally, 'signature_count' | 'updated_at' | 'digest'>,
  parts: readonly (OpenDataFile & { first: number; last: number })[],
  rowsPerPart: number,
): string {
  const index = {
    format: OPEN_DATA_FORMAT,
    signature_count: tally.signature_count,
    updated_at: tally.updated_at,
    digest: tally.digest,
    columns: CSV_COLUMNS,
    order: 'oldest signature first: rank 1 is the oldest; each part holds ranks first to last',
    csv: 'RFC 4180, UTF-8 with a BOM, CRLF line ends, a header row at the top of every file; a cell that a spreadsheet would read as a formula starts with an apostrophe, which a recount takes off',
    compression: 'gzip, one member a file',
    rows_per_part: rowsPerPart,
    parts_note:
      'part n holds the signatures of list page n (/signatures/<n>/); every part but the newest holds rows_per_part rows',
  };
  const head = JSON.stringify(index, null, 2).slice(0, -2);
  const lines = parts.map(({ url, first, last, bytes, sha256 }) =>
    JSON.stringify({ url, first, last, rows: last - first + 1, bytes, sha256 }),
  );
  return `${head},\n  "parts": [${lines.length ? `\n    ${lines.join(',\n    ')}\n  ` : ''}]\n}\n`;
}
