/**
 * The open data: every signature as CSV, compressed, in parts of up to 10,000 signatures
 * (data/signatures/<n>.csv.gz), all of them in one file (data/signatures.csv.gz), and an index
 * (data/signatures/index.json) that names each part with its ranks, size and SHA-256. At
 * 1,000,000 signatures one plain CSV would be about 170 MB and the JSON array the site used to
 * publish over 300 MB, past the 50 MB a file should stay under and a third of what GitHub Pages
 * allows a whole site; compressed, the parts are about 250 KB each and all of them about 30 MB.
 *
 * Pure: the rows and the index as strings. scripts/site/bulk-output.ts writes them.
 */
import { countryName } from '../core/countries.ts';
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import type { Tally } from '../core/tally.ts';
import { csvCell } from '../core/text.ts';

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
  full: 'data/signatures.csv.gz',
  partSuffix: '.csv.gz',
} as const;

/**
 * A part holds at most this many rows, and stops early once it passes {@link PART_MAX_BYTES}: a
 * part of 10,000 ordinary signatures is about 0.9 MB, and long reasons cannot make one exceed
 * GitHub's 50 MB.
 */
export const PART_MAX_ROWS = 10_000;
export const PART_MAX_BYTES = 8 * 1024 * 1024;

/** The format of the index, for readers that check what they are reading. */
export const OPEN_DATA_FORMAT = 'petition-signatures/1';

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

/** One part of the CSV: its number, the ranks it holds (1 is the oldest signature) and its rows. */
export interface CsvPart {
  number: number;
  first: number;
  last: number;
  /** The rows, without the header. */
  rows: string;
}

/**
 * The CSV parts, oldest signature first, so a part's contents change only when a signature in it
 * is withdrawn or an older one is added. `oldestFirst(rank)` gives the record of each rank, 1 to
 * `count`. Nothing is held beyond the part being yielded.
 */
export function* csvParts(
  count: number,
  oldestFirst: (rank: number) => PetitionRecord,
  maxRows = PART_MAX_ROWS,
): Generator<CsvPart> {
  const countryCell = countryCells();
  let number = 1;
  let first = 1;
  let rows = '';
  let bytes = 0;
  for (let rank = 1; rank <= count; rank += 1) {
    const row = csvRow(oldestFirst(rank), countryCell);
    rows += row;
    bytes += Buffer.byteLength(row);
    if (rank - first + 1 === maxRows || bytes >= PART_MAX_BYTES) {
      yield { number, first, last: rank, rows };
      number += 1;
      first = rank + 1;
      rows = '';
      bytes = 0;
    }
  }
  if (rows || count === 0) yield { number, first, last: count, rows };
}

/** What the index says of each file: where it is (relative to the index), how big, its SHA-256. */
export interface OpenDataFile {
  url: string;
  bytes: number;
  sha256: string;
}

/**
 * data/signatures/index.json: the count and digest of data/tally.json, the columns, and every
 * file with its SHA-256, so a reader can fetch the parts, check each one and recount.
 */
export function openDataIndex(
  tally: Pick<Tally, 'signature_count' | 'updated_at' | 'digest'>,
  parts: readonly (OpenDataFile & { first: number; last: number })[],
  full: OpenDataFile,
): string {
  const index = {
    format: OPEN_DATA_FORMAT,
    signature_count: tally.signature_count,
    updated_at: tally.updated_at,
    digest: tally.digest,
    columns: CSV_COLUMNS,
    order: 'oldest signature first: rank 1 is the oldest; each part holds ranks first to last',
    csv: 'RFC 4180, UTF-8 with a BOM, CRLF line ends, a header row at the top of every file; a cell that a spreadsheet would read as a formula starts with an apostrophe, which a recount takes off',
    compression:
      'gzip; each file holds more than one gzip member (the header, then the rows), which gunzip and gzip libraries read as one file',
    full: { ...full, rows: tally.signature_count },
    parts: parts.map(({ url, first, last, bytes, sha256 }) => ({
      url,
      first,
      last,
      rows: last - first + 1,
      bytes,
      sha256,
    })),
  };
  return `${JSON.stringify(index, null, 2)}\n`;
}
