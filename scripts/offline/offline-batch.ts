/**
 * A batch of offline signatures (a typed-up paper sheet, an email export) turned into signature
 * files: parse the rows, validate every one with the processor's own rules, find duplicates
 * within the batch and against every earlier batch, and plan the files. Pure: the caller passes
 * in the file text, what is already in the repository, the key and the clock, and writes the plan.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import YAML from 'yaml';
import type { Catalog } from '../core/i18n.ts';
import { problemMessage } from '../core/messages.ts';
import {
  BATCH_COLUMNS,
  batchRecordPath,
  contactHash,
  contactId,
  isBatchId,
  isCalendarDay,
  isOfflineId,
  normaliseContact,
  OFFLINE_CHANNELS,
  offlineRelativePath,
  parseOfflineSignatureFile,
  renderOfflineSignatureFile,
  rowId,
  type OfflineChannel,
  type OfflineSignatureRecord,
} from '../core/offline-signature.ts';
import { inertLogText, nameProblems, normaliseText } from '../core/text.ts';
import { validateSignature } from '../core/validate-signature.ts';

export { BATCH_COLUMNS };
const REQUIRED_COLUMNS = ['name', 'country', 'date', 'channel', 'collector'] as const;
type Column = (typeof BATCH_COLUMNS)[number];

/** A typed-up sheet is small; anything larger is not one. Checked before parsing. */
export const BATCH_FILE_MAX_BYTES = 4 * 1024 * 1024;
export const BATCH_MAX_ROWS = 10_000;
/** One row: the largest name, reason, collector and contact the rules allow, with room for quoting. */
const ROW_MAX_CODE_UNITS = 32 * 1024;

/** One row of a batch as typed, with where it came from ("line 4" in a CSV, "row 4" in JSON). */
export interface BatchRow {
  /** 1-based: the CSV line the row ends on, or the row's position in the JSON. */
  line: number;
  values: Partial<Record<Column, string>>;
  /** Set when the row cannot be read as the header says (a CSV row with the wrong number of cells). */
  problem?: string;
}

export type ParsedBatchFile = { ok: true; rows: BatchRow[]; unit: 'line' | 'row' } | { ok: false; problem: string };

/**
 * Reads a batch file: CSV with a header row (the sheet's columns, any order), or the JSON the
 * sheet's typing aid produces (`{"rows": [{...}]}` or a bare array of rows).
 */
export function parseBatchFile(text: string, format: 'csv' | 'json'): ParsedBatchFile {
  if (text.length > BATCH_FILE_MAX_BYTES)
    return { ok: false, problem: `the file is larger than ${BATCH_FILE_MAX_BYTES} bytes` };
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  return format === 'json' ? parseJsonRows(body) : parseCsvRows(body);
}

/**
 * Every line end (CRLF from Windows, a lone CR from old Macs, LF) as LF, outside cells and in
 * them. One physical line stays one line, so a row's number is the line an editor shows for
 * every kind of sheet. csv-parse alone counts differently: once it has taken CRLF as the record
 * delimiter, an LF inside a quoted cell (what Excel writes for Alt+Enter) still counts as a line,
 * and every later row was reported one line too far for each such cell.
 */
export function normaliseLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function parseCsvRows(rawText: string): ParsedBatchFile {
  const text = normaliseLineEnds(rawText);
  let records: Array<{ record: string[]; line: number }>;
  try {
    records = (
      parseCsv(text, {
        info: true,
        // A row with too few or too many cells is one bad row, reported with the others.
        relax_column_count: true,
        skip_empty_lines: true,
        max_record_size: ROW_MAX_CODE_UNITS,
        to: BATCH_MAX_ROWS + 2,
      }) as unknown as Array<{ record: string[]; info: { lines: number } }>
    ).map(({ record, info }) => {
      // info.lines is where the record ends; a cell with line breaks started it earlier.
      let breaks = 0;
      for (const cell of record)
        for (let at = cell.indexOf('\n'); at >= 0; at = cell.indexOf('\n', at + 1)) breaks += 1;
      return { record, line: info.lines - breaks };
    });
  } catch (error) {
    // csv-parse says where and what ("Invalid Closing Quote … at line 3"); no cell text is in it.
    return { ok: false, problem: `the file is not valid CSV: ${inertLogText((error as Error).message, 300)}` };
  }
  const [header, ...rest] = records;
  if (!header) return { ok: false, problem: 'the file is empty' };
  const columns = header.record.map((cell) => cell.trim().toLowerCase());
  const unknown = columns.filter((column) => !(BATCH_COLUMNS as readonly string[]).includes(column));
  if (unknown.length > 0)
    return {
      ok: false,
      problem: `line 1: unknown column(s) ${unknown.map((c) => JSON.stringify(inertLogText(c, 40))).join(', ')}; the columns are ${BATCH_COLUMNS.join(', ')}`,
    };
  const missing = REQUIRED_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length > 0) return { ok: false, problem: `line 1: missing column(s) ${missing.join(', ')}` };
  const repeated = columns.filter((column, index) => columns.indexOf(column) !== index);
  if (repeated.length > 0) return { ok: false, problem: `line 1: column(s) ${repeated.join(', ')} appear twice` };
  if (rest.length > BATCH_MAX_ROWS) return { ok: false, problem: `more than ${BATCH_MAX_ROWS} rows; split the batch` };
  const rows = rest.map(({ record, line }): BatchRow => {
    const values: Partial<Record<Column, string>> = {};
    columns.forEach((column, index) => (values[column as Column] = record[index] ?? ''));
    return record.length === columns.length
      ? { line, values }
      : { line, values, problem: `has ${record.length} cells; the header has ${columns.length}` };
  });
  return { ok: true, rows, unit: 'line' };
}

function parseJsonRows(text: string): ParsedBatchFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the file is not valid JSON: ${inertLogText((error as Error).message, 200)}` };
  }
  const list = Array.isArray(data)
    ? data
    : typeof data === 'object' && data !== null
      ? (data as { rows?: unknown }).rows
      : undefined;
  if (!Array.isArray(list)) return { ok: false, problem: 'the JSON is neither a list of rows nor {"rows": [...]}' };
  if (list.length > BATCH_MAX_ROWS) return { ok: false, problem: `more than ${BATCH_MAX_ROWS} rows; split the batch` };
  const rows: BatchRow[] = [];
  for (const [index, item] of list.entries()) {
    const line = index + 1;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return { ok: false, problem: `row ${line}: not an object with the columns ${BATCH_COLUMNS.join(', ')}` };
    const values: Partial<Record<Column, string>> = {};
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      if (!(BATCH_COLUMNS as readonly string[]).includes(key))
        return { ok: false, problem: `row ${line}: unknown field ${JSON.stringify(inertLogText(key, 40))}` };
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string') return { ok: false, problem: `row ${line}: ${key} is not text` };
      if (value.length > ROW_MAX_CODE_UNITS) return { ok: false, problem: `row ${line}: ${key} is too long` };
      values[key as Column] = value;
    }
    rows.push({ line, values });
  }
  return { ok: true, rows, unit: 'row' };
}

/** What the maintainer asked for, besides the file. */
export interface BatchOptions {
  /** The batch id (lowercase letters, digits, hyphens). */
  batch: string;
  /** SHA-256 of each scan or mail export; they stay with the maintainers. At least one. */
  evidenceSha256: string[];
  /** The letter version printed on the sheet or sent by mail. */
  letterSha256: string;
  /** The contact key; undefined when none is set up. Needed only when a row gives a contact. */
  contactKey: string | undefined;
  /** Leave bad rows out and add the rest, instead of adding nothing. */
  skipBad: boolean;
  /** Today, YYYY-MM-DD (UTC): no signature is dated later. */
  today: string;
  /** The strings the maintainer reads the problems in (the petition's default language). */
  catalog: Catalog;
}

/** What is already in the repository, as the caller reads it. */
export interface ExistingFiles {
  /** The text of the file at a path relative to the signatures folder, or undefined. */
  read(relativePath: string): string | undefined;
}

export interface RowProblem {
  line: number;
  message: string;
}

export interface BatchRecord {
  batch: string;
  added_on: string;
  signatures: number;
  by_channel: Partial<Record<OfflineChannel, number>>;
  collectors: string[];
  letter_sha256: string;
  /** SHA-256 of the scans or mail export, which are never committed. */
  evidence_sha256: string[];
  /** Lines (or JSON rows) left out with --skip-bad; their reasons are in the run's report. */
  skipped_lines: number[];
}

export type BatchPlan =
  | {
      ok: true;
      /** Files to write, relative to the signatures folder: every signer, then the batch record. */
      writes: Array<{ path: string; text: string }>;
      /** Rows an earlier, interrupted run of this same batch already wrote (the re-run finishes the job). */
      alreadyWritten: number;
      /** Bad rows left out (only with skipBad). */
      problems: RowProblem[];
      record: BatchRecord;
      commitMessage: string;
    }
  | { ok: false; problems: RowProblem[]; fatal?: string };

const SHA256 = /^[0-9a-f]{64}$/;

/** Makes text a maintainer's terminal prints safe: no control characters, bounded. */
function shown(text: string): string {
  return JSON.stringify(inertLogText(text, 80));
}

/**
 * Validates every row and plans the files. Nothing is planned when any row is bad, unless
 * `skipBad`; nothing at all when the batch itself is wrong (no evidence, a contact without a key).
 * A row never replaces another batch's signer: the same contact in an earlier batch is reported
 * as a duplicate naming both places.
 */
export function planBatch(
  rows: readonly BatchRow[],
  unit: 'line' | 'row',
  options: BatchOptions,
  existing: ExistingFiles,
): BatchPlan {
  const fail = (fatal: string): BatchPlan => ({ ok: false, problems: [], fatal });
  if (!isBatchId(options.batch))
    return fail(
      `${shown(options.batch)} is not a batch id: use lowercase letters, digits and hyphens, up to 64 (for example 2026-11-moscow-market).`,
    );
  if (options.evidenceSha256.length === 0)
    return fail(
      'A batch needs evidence: --evidence <file> for each scanned sheet or mail export (only its SHA-256 is recorded).',
    );
  if (!options.evidenceSha256.every((hash) => SHA256.test(hash)))
    return fail('An evidence hash is not a SHA-256 hex digest.');
  if (!/^(?:[0-9a-f]{64})?$/.test(options.letterSha256)) return fail('The letter hash is not a SHA-256 hex digest.');
  if (rows.length === 0) return fail('The file has no rows.');
  const withContact = rows.filter((row) => (row.values.contact ?? '').trim() !== '');
  if (withContact.length > 0 && options.contactKey === undefined)
    return fail(
      `${withContact.length} row(s) give a contact (${unit} ${withContact
        .slice(0, 5)
        .map((row) => row.line)
        .join(', ')}${withContact.length > 5 ? ', …' : ''}), and a contact is only ever stored as a keyed hash. ` +
        "Set PETITION_CONTACT_KEY (or PETITION_CONTACT_KEY_FILE, a file outside the repository) to the maintainers' key and run again. Nothing was written.",
    );

  // The batch record is written last, so it exists only once a batch is complete. A complete batch
  // is never run again: a signer withdrawn since would otherwise come back.
  if (existing.read(batchRecordPath(options.batch)) !== undefined)
    return fail(
      `Batch ${options.batch} was already added (signatures/${batchRecordPath(options.batch)} exists). Nothing was written; a new sheet is a new batch.`,
    );

  const problems: RowProblem[] = [];
  const planned: Array<{ record: OfflineSignatureRecord; path: string; text: string }> = [];
  const accepted: OfflineSignatureRecord[] = [];
  const seen = new Map<string, number>();
  let alreadyWritten = 0;
  for (const row of rows) {
    if (row.problem) {
      problems.push({ line: row.line, message: row.problem });
      continue;
    }
    const rowProblems: string[] = [];
    const value = (column: Column) => normaliseText(row.values[column] ?? '');
    // One validation, shared: the processor's own rules for the name, country and reason. The
    // signer's consent is their signature under the sheet's consent line (or their mail).
    const validated = validateSignature({
      name: row.values.name ?? '',
      country: row.values.country ?? '',
      reason: row.values.reason ?? '',
      consent: [true],
    });
    if (!validated.ok)
      for (const problem of validated.problems)
        rowProblems.push(`${problem.code.split('.')[0]}: ${problemMessage(problem, shown, options.catalog)}`);

    const date = value('date');
    if (!isCalendarDay(date)) rowProblems.push(`date: ${shown(date.slice(0, 40))} is not a date written YYYY-MM-DD`);
    else if (date > options.today) rowProblems.push(`date: ${date} is in the future`);

    const channel = value('channel').toLowerCase();
    if (!(OFFLINE_CHANNELS as readonly string[]).includes(channel))
      rowProblems.push(`channel: ${shown(channel.slice(0, 40))} is not "paper" or "email"`);

    const collector = value('collector');
    if (collector === '') rowProblems.push('collector: empty; write who collected the batch');
    else if (nameProblems(collector).length > 0)
      rowProblems.push(
        'collector: breaks the rules for names (too long, a web address, invisible or control characters)',
      );

    let id: string | undefined;
    const contact = (row.values.contact ?? '').trim();
    if (contact !== '') {
      const normalised = normaliseContact(contact);
      // The contact itself is never shown: a report may be pasted into a pull request.
      if (!normalised.ok) rowProblems.push(normalised.problem);
      else id = contactId(contactHash(normalised.value, options.contactKey!));
    } else id = rowId(options.batch, row.line);

    if (id !== undefined && rowProblems.length === 0) {
      const first = seen.get(id);
      if (first !== undefined)
        rowProblems.push(`duplicate: the same contact as ${unit} ${first} of this batch (a person counts once)`);
      else seen.set(id, row.line);
    }

    if (rowProblems.length > 0 || !validated.ok || id === undefined) {
      for (const message of rowProblems) problems.push({ line: row.line, message });
      continue;
    }
    const record: OfflineSignatureRecord = {
      channel: channel as OfflineChannel,
      id,
      name: validated.signature.name,
      country: validated.signature.country,
      signed_at: date,
      batch: options.batch,
      row: row.line,
      collector,
      letter_sha256: options.letterSha256,
      reason: validated.signature.reason,
    };
    const path = offlineRelativePath(id);
    const text = renderOfflineSignatureFile(record);
    const before = existing.read(path);
    if (before !== undefined) {
      if (before === text) {
        // An earlier run of this batch wrote it and stopped before the batch record: finish the job.
        alreadyWritten += 1;
        accepted.push(record);
        continue;
      }
      const parsed = parseOfflineSignatureFile(before, path);
      const where = parsed.ok ? `batch ${parsed.record.batch}, ${unit} ${parsed.record.row}` : `${path} (unreadable)`;
      problems.push({
        line: row.line,
        message:
          parsed.ok && parsed.record.batch === options.batch
            ? `already added by this batch from ${unit} ${parsed.record.row} with other details; withdraw that signature first to change it`
            : `duplicate: the same person already signed in ${where} (a person counts once)`,
      });
      continue;
    }
    planned.push({ record, path, text });
    accepted.push(record);
  }

  problems.sort((a, b) => a.line - b.line);
  if (problems.length > 0 && !options.skipBad) return { ok: false, problems };
  if (accepted.length === 0)
    return { ok: false, problems, fatal: `No ${unit} of the batch can be added. Nothing was written.` };

  const byChannel: Partial<Record<OfflineChannel, number>> = {};
  for (const record of accepted) byChannel[record.channel] = (byChannel[record.channel] ?? 0) + 1;
  const batchRecord: BatchRecord = {
    batch: options.batch,
    added_on: options.today,
    signatures: accepted.length,
    by_channel: byChannel,
    collectors: [...new Set(accepted.map((record) => record.collector))].sort(),
    letter_sha256: options.letterSha256,
    evidence_sha256: [...options.evidenceSha256].sort(),
    skipped_lines: [...new Set(problems.map((problem) => problem.line))],
  };
  const batchText = new YAML.Document(batchRecord).toString({
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  });
  const writes = planned.map(({ path, text }) => ({ path, text }));
  // The batch record last: if a run dies on the way, the next one finds the signers it wrote identical and finishes.
  writes.push({ path: batchRecordPath(options.batch), text: batchText });
  return {
    ok: true,
    writes,
    alreadyWritten,
    problems,
    record: batchRecord,
    commitMessage: batchCommitMessage(batchRecord),
  };
}

const CHANNEL_PHRASES: Record<OfflineChannel, string> = { paper: 'on paper', email: 'by email' };

/** The commit message a maintainer uses: counts, the batch, the collectors and the evidence hashes; no contact, ever. */
export function batchCommitMessage(record: BatchRecord): string {
  const added = record.signatures;
  const channels = OFFLINE_CHANNELS.filter((channel) => record.by_channel[channel])
    .map((channel) => `${record.by_channel[channel]} ${CHANNEL_PHRASES[channel]}`)
    .join(', ');
  const lines = [
    `Add ${added} offline signature${added === 1 ? '' : 's'} (batch ${record.batch}${channels ? `: ${channels}` : ''})`,
    '',
    `Collected by ${record.collectors.join(', ') || '(none)'}; letter version ${record.letter_sha256 || '(unknown)'}.`,
    `Evidence kept by the maintainers, SHA-256: ${record.evidence_sha256.join(', ')}.`,
  ];
  if (record.skipped_lines.length > 0) lines.push(`Left out (bad rows): ${record.skipped_lines.join(', ')}.`);
  lines.push(`Batch record: signatures/${batchRecordPath(record.batch)}`);
  return `${lines.join('\n')}\n`;
}

export type WithdrawalPlan =
  { ok: true; path: string; record: OfflineSignatureRecord; commitMessage: string } | { ok: false; problem: string };

/**
 * Plans removing one offline signer, found by the keyed hash of their contact (or the file id).
 * The commit message names the batch and line, never the contact.
 */
export function planOfflineWithdrawal(hashOrId: string, existing: ExistingFiles): WithdrawalPlan {
  const given = hashOrId.length <= 100 ? hashOrId.trim().toLowerCase() : '';
  const id = isOfflineId(given) ? given : /^[0-9a-f]{64}$/.test(given) ? contactId(given) : undefined;
  if (id === undefined)
    return {
      ok: false,
      problem: 'That is not a contact hash (64 hex digits) or an offline signature id (c or r and 40 hex digits).',
    };
  const path = offlineRelativePath(id);
  const text = existing.read(path);
  if (text === undefined)
    return {
      ok: false,
      problem: `No offline signature has that contact (no file at signatures/${path}). Nothing was changed.`,
    };
  const parsed = parseOfflineSignatureFile(text, path);
  if (!parsed.ok)
    return {
      ok: false,
      problem: `signatures/${path} is not a valid signature file (${parsed.problem}); remove it by hand.`,
    };
  const { record } = parsed;
  return {
    ok: true,
    path,
    record,
    commitMessage:
      `Withdraw an offline signature at the signer's request (batch ${record.batch}, line ${record.row})\n\n` +
      `Removes signatures/${path}, found by the keyed hash of the signer's contact.\n`,
  };
}
