/**
 * The open data files (data/signatures.csv, data/signatures.json), built as strings in one pass
 * so that 100,000 signatures cost milliseconds, not a template loop.
 */
import { countryName } from '../core/countries.ts';
import type { SignatureRecord } from '../core/signature-file.ts';
import { csvCell } from '../core/text.ts';

/**
 * Every field the tally's digest covers (scripts/core/tally.ts, canonicalRecord), in its order,
 * plus the country's name: anyone can recompute the digest from the CSV alone.
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
] as const;

/** Country names, looked up once per country rather than once per signature. */
function countryNames(): (code: string) => string {
  const cache = new Map<string, string>();
  return (code) => {
    let name = cache.get(code);
    if (name === undefined) cache.set(code, (name = countryName(code)));
    return name;
  };
}

/** The public fields of one signature, as published in signatures.json. */
export function publicSignature(record: SignatureRecord, nameOfCountry: (code: string) => string = countryName) {
  return {
    name: record.name,
    country: record.country,
    country_name: nameOfCountry(record.country),
    signed_at: record.signed_at,
    login: record.login,
    user_id: record.user_id,
    issue: record.issue,
    letter_sha256: record.letter_sha256,
    reason: record.reason,
  };
}

/** CSV with a header row; every cell neutralised for spreadsheets. A BOM tells Excel it is UTF-8. */
export function signaturesCsv(records: readonly SignatureRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  const nameOfCountry = countryNames();
  for (const record of records) {
    // The columns of CSV_COLUMNS, in order.
    lines.push(
      `${csvCell(record.user_id)},${csvCell(record.login)},${csvCell(record.name)},${csvCell(record.country)},` +
        `${csvCell(nameOfCountry(record.country))},${csvCell(record.issue)},${csvCell(record.signed_at)},` +
        `${csvCell(record.letter_sha256)},${csvCell(record.reason)}`,
    );
  }
  // RFC 4180: every record ends in CRLF, and nothing follows the last one (the template must
  // add no newline of its own, or Python's csv reader sees an empty row).
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** JSON array of the public fields, newest first, one signature per line for readable diffs. */
export function signaturesJson(records: readonly SignatureRecord[]): string {
  if (records.length === 0) return '[]\n';
  const nameOfCountry = countryNames();
  return `[\n${records.map((record) => JSON.stringify(publicSignature(record, nameOfCountry))).join(',\n')}\n]\n`;
}
