/**
 * A batch of offline signatures (a typed-up paper sheet, an email export) turned into signature
 * files: validate every row read from the file (batch-file.ts) with the processor's own rules,
 * find duplicates within the batch and against every earlier batch, and plan the files. Pure: the
 * caller passes in the rows, what is already in the repository, the key and the clock, and writes
 * the plan.
 */
import YAML from 'yaml';
import type { Catalog } from '../core/i18n.ts';
import { problemMessage } from '../core/messages.ts';
import {
  batchRecordPath,
  contactHash,
  contactId,
  isBatchId,
  isCalendarDay,
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
import type { BatchColumn as Column, BatchRow } from './batch-file.ts';

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
 * Why the batch as a whole cannot be added (a bad batch id or evidence, no rows, contacts
 * without a key, a batch added before), or undefined when its rows may be checked.
 */
function batchProblem(
  rows: readonly BatchRow[],
  unit: 'line' | 'row',
  options: BatchOptions,
  existing: ExistingFiles,
): string | undefined {
  if (!isBatchId(options.batch))
    return `${shown(options.batch)} is not a batch id: use lowercase letters, digits and hyphens, up to 64 (for example 2026-11-moscow-market).`;
  if (options.evidenceSha256.length === 0)
    return 'A batch needs evidence: --evidence <file> for each scanned sheet or mail export (only its SHA-256 is recorded).';
  if (!options.evidenceSha256.every((hash) => SHA256.test(hash)))
    return 'An evidence hash is not a SHA-256 hex digest.';
  if (!/^(?:[0-9a-f]{64})?$/.test(options.letterSha256)) return 'The letter hash is not a SHA-256 hex digest.';
  if (rows.length === 0) return 'The file has no rows.';
  const withContact = rows.filter((row) => (row.values.contact ?? '').trim() !== '');
  if (withContact.length > 0 && options.contactKey === undefined)
    return (
      `${withContact.length} row(s) give a contact (${unit} ${withContact
        .slice(0, 5)
        .map((row) => row.line)
        .join(', ')}${withContact.length > 5 ? ', …' : ''}), and a contact is only ever stored as a keyed hash. ` +
      "Set PETITION_CONTACT_KEY (or PETITION_CONTACT_KEY_FILE, a file outside the repository) to the maintainers' key and run again. Nothing was written."
    );
  // The batch record is written last, so it exists only once a batch is complete. A complete batch
  // is never run again: a signer withdrawn since would otherwise come back.
  if (existing.read(batchRecordPath(options.batch)) !== undefined)
    return `Batch ${options.batch} was already added (signatures/${batchRecordPath(options.batch)} exists). Nothing was written; a new sheet is a new batch.`;
  return undefined;
}

/**
 * One row checked: its problems, or the signer's record. `seen` holds the ids of the batch's
 * earlier good rows (a person counts once); a row that passes adds its own.
 */
function checkRow(
  row: BatchRow,
  unit: 'line' | 'row',
  options: BatchOptions,
  seen: Map<string, number>,
): { problems: string[]; record?: OfflineSignatureRecord } {
  if (row.problem) return { problems: [row.problem] };
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

  if (rowProblems.length > 0 || !validated.ok || id === undefined) return { problems: rowProblems };
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
  return { problems: [], record };
}

/**
 * Where a good row's record stands against the repository: a new file to write, one an earlier
 * interrupted run of this batch already wrote (identical), or a duplicate of another signer.
 */
function placeRecord(
  record: OfflineSignatureRecord,
  unit: 'line' | 'row',
  options: BatchOptions,
  existing: ExistingFiles,
): { write: { path: string; text: string } } | { alreadyWritten: true } | { problem: string } {
  const path = offlineRelativePath(record.id);
  const text = renderOfflineSignatureFile(record);
  const before = existing.read(path);
  if (before === undefined) return { write: { path, text } };
  // An earlier run of this batch wrote it and stopped before the batch record: finish the job.
  if (before === text) return { alreadyWritten: true };
  const parsed = parseOfflineSignatureFile(before, path);
  const where = parsed.ok ? `batch ${parsed.record.batch}, ${unit} ${parsed.record.row}` : `${path} (unreadable)`;
  return {
    problem:
      parsed.ok && parsed.record.batch === options.batch
        ? `already added by this batch from ${unit} ${parsed.record.row} with other details; withdraw that signature first to change it`
        : `duplicate: the same person already signed in ${where} (a person counts once)`,
  };
}

/** The batch record of the signers added, and its file's text. */
function batchRecordOf(
  accepted: readonly OfflineSignatureRecord[],
  problems: readonly RowProblem[],
  options: BatchOptions,
): { record: BatchRecord; text: string } {
  const byChannel: Partial<Record<OfflineChannel, number>> = {};
  for (const record of accepted) byChannel[record.channel] = (byChannel[record.channel] ?? 0) + 1;
  const record: BatchRecord = {
    batch: options.batch,
    added_on: options.today,
    signatures: accepted.length,
    by_channel: byChannel,
    collectors: [...new Set(accepted.map((signer) => signer.collector))].sort(),
    letter_sha256: options.letterSha256,
    evidence_sha256: [...options.evidenceSha256].sort(),
    skipped_lines: [...new Set(problems.map((problem) => problem.line))],
  };
  const text = new YAML.Document(record).toString({
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'PLAIN',
    lineWidth: 0,
  });
  return { record, text };
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
  const fatal = batchProblem(rows, unit, options, existing);
  if (fatal !== undefined) return { ok: false, problems: [], fatal };

  const problems: RowProblem[] = [];
  const planned: Array<{ path: string; text: string }> = [];
  const accepted: OfflineSignatureRecord[] = [];
  const seen = new Map<string, number>();
  let alreadyWritten = 0;
  for (const row of rows) {
    const checked = checkRow(row, unit, options, seen);
    for (const message of checked.problems) problems.push({ line: row.line, message });
    if (!checked.record) continue;
    const placed = placeRecord(checked.record, unit, options, existing);
    if ('problem' in placed) {
      problems.push({ line: row.line, message: placed.problem });
      continue;
    }
    if ('write' in placed) planned.push(placed.write);
    else alreadyWritten += 1;
    accepted.push(checked.record);
  }

  problems.sort((a, b) => a.line - b.line);
  if (problems.length > 0 && !options.skipBad) return { ok: false, problems };
  if (accepted.length === 0)
    return { ok: false, problems, fatal: `No ${unit} of the batch can be added. Nothing was written.` };

  const batch = batchRecordOf(accepted, problems, options);
  // The batch record last: if a run dies on the way, the next one finds the signers it wrote identical and finishes.
  const writes = [...planned, { path: batchRecordPath(options.batch), text: batch.text }];
  return {
    ok: true,
    writes,
    alreadyWritten,
    problems,
    record: batch.record,
    commitMessage: batchCommitMessage(batch.record),
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
