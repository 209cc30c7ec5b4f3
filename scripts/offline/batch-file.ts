/**
 * Reading a batch of offline signatures as typed up (a paper sheet's CSV, the typing aid's JSON):
 * bounded in size and rows before any parsing, every line end counted the way an editor shows it,
 * and each row kept with where it came from, so a problem names the line to fix. Pure: no checks
 * of the values here (offline-batch.ts validates every row with the processor's own rules).
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { BATCH_COLUMNS } from '../core/offline-signature.ts';
import { inertLogText } from '../core/text.ts';

export { BATCH_COLUMNS };
const REQUIRED_COLUMNS = ['name', 'country', 'date', 'channel', 'collector'] as const;
/** A column of a batch file. */
export type BatchColumn = (typeof BATCH_COLUMNS)[number];
type Column = BatchColumn;

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
