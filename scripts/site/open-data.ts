/**
 * The open data files (data/signatures.csv, data/signatures.json), built as strings in one pass
 * so that 100,000 signatures cost milliseconds, not a template loop.
 */
import { countryName } from '../core/countries.ts';
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import { csvCell } from '../core/text.ts';

// `channel` is last, so a column added elsewhere is a one-line change beside it. Offline rows
// leave login and issue empty; their signed_at is a date.
const CSV_COLUMNS = ['name', 'country', 'country_name', 'signed_at', 'login', 'issue', 'reason', 'channel'] as const;

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
 * their channel, id, batch and collector instead of a login, user id and issue.
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
    const offline = isOffline(record);
    // The columns of CSV_COLUMNS, in order.
    lines.push(
      `${csvCell(record.name)},${csvCell(record.country)},${csvCell(nameOfCountry(record.country))},` +
        `${csvCell(record.signed_at)},${offline ? '' : csvCell(record.login)},${offline ? '' : csvCell(record.issue)},${csvCell(record.reason)}` +
        `,${offline ? record.channel : 'github'}`,
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** JSON array of the public fields, newest first, one signature per line for readable diffs. */
export function signaturesJson(records: readonly PetitionRecord[]): string {
  if (records.length === 0) return '[]\n';
  const nameOfCountry = countryNames();
  return `[\n${records.map((record) => JSON.stringify(publicSignature(record, nameOfCountry))).join(',\n')}\n]\n`;
}
