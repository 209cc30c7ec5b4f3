/**
 * The open data files (data/signatures.csv, data/signatures.json), built as strings in one pass
 * so that 100,000 signatures cost milliseconds, not a template loop.
 */
import { countryName } from '../core/countries.ts';
import type { SignatureRecord } from '../core/signature-file.ts';
import { csvCell } from '../core/text.ts';

const CSV_COLUMNS = ['name', 'country', 'country_name', 'signed_at', 'login', 'issue', 'reason'] as const;

/** The public fields of one signature, as published in signatures.json. */
export function publicSignature(record: SignatureRecord) {
  return {
    name: record.name,
    country: record.country,
    country_name: countryName(record.country),
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
  for (const record of records) {
    const row = publicSignature(record);
    lines.push(CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** JSON array of the public fields, newest first, one signature per line for readable diffs. */
export function signaturesJson(records: readonly SignatureRecord[]): string {
  if (records.length === 0) return '[]\n';
  return `[\n${records.map((record) => JSON.stringify(publicSignature(record))).join(',\n')}\n]\n`;
}
