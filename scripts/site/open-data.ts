/**
 * The open data files (data/signatures.csv, data/signatures.json), built as strings in one pass
 * so that 100,000 signatures cost milliseconds, not a template loop.
 */
import { countryName } from '../core/countries.ts';
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
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

/** Country names, looked up once per country rather than once per signature. */
function countryNames(): (code: string) => string {
  const cache = new Map<string, string>();
  return (code) => {
    let name = cache.get(code);
    if (name === undefined) cache.set(code, (name = countryName(code)));
    return name;
  };
}

/**
 * The public fields of one signature, as published in signatures.json. Offline signatures carry
 * their channel, id, batch, row and collector instead of a login, user id and issue.
 */
export function publicSignature(record: PetitionRecord, nameOfCountry: (code: string) => string = countryName) {
  if (isOffline(record))
    return {
      name: record.name,
      country: record.country,
      country_name: nameOfCountry(record.country),
      signed_at: record.signed_at,
      channel: record.channel,
      id: record.id,
      batch: record.batch,
      row: record.row,
      collector: record.collector,
      letter_sha256: record.letter_sha256,
      reason: record.reason,
    };
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
    channel: 'github' as const,
  };
}

/** CSV with a header row; every cell neutralised for spreadsheets. A BOM tells Excel it is UTF-8. */
export function signaturesCsv(records: readonly PetitionRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  const nameOfCountry = countryNames();
  for (const record of records) {
    const shared = `${csvCell(record.name)},${csvCell(record.country)},${csvCell(nameOfCountry(record.country))},`;
    // The columns of CSV_COLUMNS, in order.
    lines.push(
      isOffline(record)
        ? `,,${shared},${csvCell(record.signed_at)},${csvCell(record.letter_sha256)},${csvCell(record.reason)},` +
            `${record.channel},${record.id},${csvCell(record.batch)},${record.row},${csvCell(record.collector)}`
        : `${record.user_id},${csvCell(record.login)},${shared}${record.issue},${csvCell(record.signed_at)},` +
            `${csvCell(record.letter_sha256)},${csvCell(record.reason)},github,,,,`,
    );
  }
  // RFC 4180: every record ends in CRLF, and nothing follows the last one (the template must
  // add no newline of its own, or Python's csv reader sees an empty row).
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** JSON array of the public fields, newest first, one signature per line for readable diffs. */
export function signaturesJson(records: readonly PetitionRecord[]): string {
  if (records.length === 0) return '[]\n';
  const nameOfCountry = countryNames();
  return `[\n${records.map((record) => JSON.stringify(publicSignature(record, nameOfCountry))).join(',\n')}\n]\n`;
}
