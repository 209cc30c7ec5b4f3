/**
 * Signatures collected off GitHub (paper sheets, email), added by maintainers as reviewed
 * commits. They live beside the GitHub ones but in their own key space,
 * signatures/offline/<aa>/<id>.md, where the id always starts with a letter: it can never be
 * read as a GitHub user id, and a GitHub file (signatures/<aa>/<bb>/<digits>.md) can never be
 * read as an offline one. Pure: text in, text out; hashing keys are passed in.
 */
import { createHash, createHmac } from 'node:crypto';
import YAML from 'yaml';
import { isCountryCode } from './countries.ts';
import {
  parseSignatureFile,
  readFrontMatter,
  type ParsedSignatureFile,
  type SignatureRecord,
} from './signature-file.ts';
import { detached, nameProblems, normaliseText, reasonProblems, describeTextProblem } from './text.ts';

/** How a signature reached the petition. A file without `channel` is a GitHub signature. */
export type Channel = 'github' | 'paper' | 'email';
/** The channels a maintainer adds by hand. */
export type OfflineChannel = Exclude<Channel, 'github'>;
export const CHANNELS: readonly Channel[] = ['github', 'paper', 'email'];
export const OFFLINE_CHANNELS: readonly OfflineChannel[] = ['paper', 'email'];

/**
 * The columns of a batch file (CSV header or JSON keys), in the printable sheet's order.
 * `reason` and `contact` may be empty; `channel` and `collector` are the same for a whole sheet.
 */
export const BATCH_COLUMNS = ['name', 'country', 'reason', 'date', 'channel', 'collector', 'contact'] as const;

/** One signature collected off GitHub, as stored in its file. Every field is public. */
export interface OfflineSignatureRecord {
  channel: OfflineChannel;
  /**
   * The key: "c" and 40 hex digits of the keyed hash of the signer's contact (so two sheets with
   * the same person land on the same file), or "r" and 40 hex digits of the SHA-256 of the batch
   * and row when no contact was given.
   */
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** The date written on the sheet or the mail's date, YYYY-MM-DD: offline we know no time. */
  signed_at: string;
  /** The batch that added it (see the batch record in signatures/offline/batches/). */
  batch: string;
  /** The line of the batch's file (CSV line or JSON row) the signature came from. */
  row: number;
  /** Who collected the batch, as they want to be named: the person vouching for it. */
  collector: string;
  /** SHA-256 of the letter text printed on the sheet or sent by mail, or "" when unknown. */
  letter_sha256: string;
  reason: string;
}

/** Any signature the site counts. GitHub records carry no `channel` field (see Channel). */
export type PetitionRecord = SignatureRecord | OfflineSignatureRecord;

/** Whether a record came through a channel other than GitHub. */
export function isOffline(record: PetitionRecord): record is OfflineSignatureRecord {
  // One property look-up: this runs for every record in the tally, the lists and the open data.
  const channel = (record as Partial<OfflineSignatureRecord>).channel;
  return channel === 'paper' || channel === 'email';
}

/** The channel of any record. */
export function channelOf(record: PetitionRecord): Channel {
  return isOffline(record) ? record.channel : 'github';
}

/** The folder (inside the signatures folder) that holds offline signatures. */
export const OFFLINE_FOLDER = 'offline';
/** Where batch records live: not *.md, so the loader never reads them as signatures. */
export const BATCH_FOLDER = `${OFFLINE_FOLDER}/batches`;

const OFFLINE_ID = /^[cr][0-9a-f]{40}$/;
const BATCH_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SHA256_PATTERN = /^(?:[0-9a-f]{64})?$/;

/** Whether `id` is an offline signature id ("c" or "r" and 40 lowercase hex digits). */
export function isOfflineId(id: string): boolean {
  return OFFLINE_ID.test(id);
}

/** Whether `batch` is a usable batch id: lowercase letters, digits and inner hyphens, 1–64. */
export function isBatchId(batch: string): boolean {
  return BATCH_ID.test(batch);
}

/** Whether `day` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDay(day: string): boolean {
  if (!DAY.test(day)) return false;
  const time = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === day;
}

/**
 * Where an offline signer's file lives, relative to the signatures folder: offline/<aa>/<id>.md,
 * <aa> being the id's first two hex digits. 256 folders hold 256,000 offline signatures at
 * 1,000 a folder, more than any paper drive collects.
 */
export function offlineRelativePath(id: string): string {
  if (!isOfflineId(id)) throw new Error(`Not an offline signature id: ${id}`);
  return `${OFFLINE_FOLDER}/${id.slice(1, 3)}/${id}.md`;
}

/** The id a path names, or undefined when the path is not where an offline file belongs. */
export function offlineIdFromRelativePath(relativePath: string): string | undefined {
  const match = /^offline\/([0-9a-f]{2})\/([cr][0-9a-f]{40})\.md$/.exec(relativePath.replace(/\\/g, '/'));
  return match && match[2]!.slice(1, 3) === match[1] ? match[2] : undefined;
}

/** Where a batch's record lives, relative to the signatures folder. */
export function batchRecordPath(batch: string): string {
  if (!isBatchId(batch)) throw new Error(`Not a batch id: ${batch}`);
  return `${BATCH_FOLDER}/${batch}.yml`;
}

/** Contact data is never longer than this (an email address is at most 254 characters). */
export const CONTACT_MAX_CODE_UNITS = 254;

export type NormalisedContact = { ok: true; value: string } | { ok: false; problem: string };

/**
 * An email address or phone number in one canonical form, so that "Anna@Example.org " and
 * "anna@example.org" (or "+7 (495) 123-45-67" and "+74951234567") hash the same. Bounded before
 * any pattern runs.
 */
export function normaliseContact(raw: string): NormalisedContact {
  if (raw.length > CONTACT_MAX_CODE_UNITS * 2)
    return { ok: false, problem: `contact is longer than ${CONTACT_MAX_CODE_UNITS} characters` };
  const text = raw.normalize('NFC').trim();
  if (text.length > CONTACT_MAX_CODE_UNITS)
    return { ok: false, problem: `contact is longer than ${CONTACT_MAX_CODE_UNITS} characters` };
  if (text.includes('@')) {
    const email = text.toLowerCase();
    // One @, something on each side, a dot in the domain, no spaces or controls.
    if (!/^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f]+$/u.test(email))
      return { ok: false, problem: 'contact is not an email address or a phone number' };
    return { ok: true, value: `email:${email}` };
  }
  if (!/^\+?[\d\s().\-/]+$/.test(text))
    return { ok: false, problem: 'contact is not an email address or a phone number' };
  const digits = text.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15)
    return { ok: false, problem: 'contact is not a phone number (7 to 15 digits, with the country code)' };
  // E.164 has no trunk prefix: "+7 495…" and "7 495…" are the same number; a leading 0 is local.
  return { ok: true, value: `phone:${text.startsWith('+') ? '+' : ''}${digits}` };
}

/** The smallest key we accept: 32 characters (a random 128-bit key in hex is 32). */
export const CONTACT_KEY_MIN_LENGTH = 32;

/**
 * The keyed hash of a normalised contact (HMAC-SHA256, hex). Without the key nobody can test a
 * guessed address against the public files, which a plain hash would allow.
 */
export function contactHash(normalisedContact: string, key: string): string {
  if (key.length < CONTACT_KEY_MIN_LENGTH) throw new Error('The contact key is too short.');
  return createHmac('sha256', key).update(normalisedContact, 'utf8').digest('hex');
}

/** The file id of a signer with a contact: "c" and the first 40 hex digits of the contact hash. */
export function contactId(hash: string): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('Not a contact hash');
  return `c${hash.slice(0, 40)}`;
}

/** The file id of a signer without a contact: "r" and 40 hex digits of SHA-256(batch, row). */
export function rowId(batch: string, row: number): string {
  return `r${createHash('sha256').update(`${batch}\n${row}`, 'utf8').digest('hex').slice(0, 40)}`;
}

/**
 * Writes an offline record as file text, every string double-quoted by the YAML library as
 * for GitHub files; the reason is the body.
 */
export function renderOfflineSignatureFile(record: OfflineSignatureRecord): string {
  const frontMatter = new YAML.Document({
    channel: record.channel,
    name: record.name,
    country: record.country,
    signed_at: record.signed_at,
    batch: record.batch,
    row: record.row,
    collector: record.collector,
    letter_sha256: record.letter_sha256,
  });
  const yamlText = frontMatter.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
  return `---\n${yamlText}---\n${record.reason ? `${record.reason}\n` : ''}`;
}

export type ParsedOfflineSignatureFile = { ok: true; record: OfflineSignatureRecord } | { ok: false; problem: string };

const OFFLINE_FIELDS = ['channel', 'name', 'country', 'signed_at', 'batch', 'row', 'collector', 'letter_sha256'];

/**
 * Reads an offline file back and checks every field with the same text rules as GitHub files.
 * Offline files are few, so they all take the full YAML parser.
 */
export function parseOfflineSignatureFile(rawText: string, relativePath: string): ParsedOfflineSignatureFile {
  const id = offlineIdFromRelativePath(relativePath);
  if (id === undefined) return { ok: false, problem: 'file is not at signatures/offline/<aa>/<id>.md' };
  const read = readFrontMatter(rawText);
  if (!read.ok) return read;
  const { fields, body } = read;
  const unknown = Object.keys(fields).filter((key) => !OFFLINE_FIELDS.includes(key));
  if (unknown.length > 0) return { ok: false, problem: `unexpected field(s): ${unknown.join(', ')}` };

  const { channel, name, country, signed_at, batch, row, collector, letter_sha256 } = fields;
  if (channel !== 'paper' && channel !== 'email') return { ok: false, problem: 'channel is not "paper" or "email"' };
  const nameProblem = storedTextProblem('name', name);
  if (nameProblem) return { ok: false, problem: nameProblem };
  if (typeof country !== 'string' || !isCountryCode(country))
    return { ok: false, problem: 'country is not an ISO 3166-1 alpha-2 code' };
  if (typeof signed_at !== 'string' || !isCalendarDay(signed_at))
    return { ok: false, problem: 'signed_at is not a date like 2026-11-23' };
  if (typeof batch !== 'string' || !isBatchId(batch)) return { ok: false, problem: 'batch is not a batch id' };
  if (typeof row !== 'number' || !Number.isSafeInteger(row) || row <= 0)
    return { ok: false, problem: 'row is not a positive whole number' };
  if (id.startsWith('r') && id !== rowId(batch, row))
    return { ok: false, problem: `the file name does not match batch ${batch}, row ${row}` };
  const collectorProblem = storedTextProblem('collector', collector);
  if (collectorProblem) return { ok: false, problem: collectorProblem };
  const letterHash = letter_sha256 ?? '';
  if (typeof letterHash !== 'string' || !SHA256_PATTERN.test(letterHash))
    return { ok: false, problem: 'letter_sha256 is not a SHA-256 hex digest' };
  const reason = normaliseText(body);
  const [reasonProblem] = reasonProblems(reason);
  if (reasonProblem) return { ok: false, problem: describeTextProblem('reason', reasonProblem) };
  return {
    ok: true,
    record: {
      channel,
      id,
      name: name as string,
      country: country,
      signed_at,
      batch,
      row,
      collector: collector as string,
      letter_sha256: letterHash,
      reason: detached(reason),
    },
  };
}

/** A name or collector: the shared name rules, as the loader applies them to GitHub files. */
function storedTextProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `${field} is missing or not text`;
  if (value === '') return `${field} is empty`;
  const [first] = nameProblems(value);
  if (first) return describeTextProblem(field, first);
  if (value !== normaliseText(value)) return `${field} is not trimmed NFC text`;
  return undefined;
}

export type ParsedAnySignatureFile = { ok: true; record: PetitionRecord } | { ok: false; problem: string };

/**
 * Reads any signature file by where it is: under offline/ an offline signature, anywhere else a
 * GitHub one through {@link parseSignatureFile} and its fast path, exactly as before offline
 * signatures existed. A GitHub file that says it came through another channel is refused, so a
 * paper signature can never take a GitHub id's place.
 */
export function parseAnySignatureFile(text: string, relativePath: string): ParsedAnySignatureFile {
  if (relativePath.startsWith(`${OFFLINE_FOLDER}/`)) return parseOfflineSignatureFile(text, relativePath);
  const parsed: ParsedSignatureFile = parseSignatureFile(text, relativePath);
  return parsed;
}
