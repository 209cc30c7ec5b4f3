/**
 * Checking and parsing signature texts a batch at a time, the same way on the build's main thread
 * and on its helper thread (parse-helper.ts). A batch carries the texts' bytes as git gave them,
 * cached rows with git's object ("blob <size>\0" and the bytes) so that the object can be hashed
 * against the blob id the commit's tree names: a cached text is parsed only when it is, byte for
 * byte, the committed file.
 *
 * The answer goes back to the main thread as JSON of plain arrays, one per record in a fixed
 * field order, and is rebuilt there by the same object literals the parser uses, so every record
 * has the same shape whichever thread parsed it (and JSON.parse is several times cheaper than
 * parsing a signature file).
 */
import { hash } from 'node:crypto';
import {
  isOffline,
  parseAnySignatureFile,
  type OfflineSignatureRecord,
  type PetitionRecord,
} from '../core/offline-signature.ts';

/** The texts of one batch: their bytes in one buffer, and where each one's parts are. */
export interface TextBatch {
  bytes: Uint8Array;
  /** Where git's object starts ("blob <size>\0"), or -1 for a text read through git (git checked it). */
  objectStarts: Int32Array;
  textStarts: Int32Array;
  textEnds: Int32Array;
  /** The blob id each object must hash to ("" for texts read through git). */
  blobs: string[];
  /** Each text's path inside the signatures folder. */
  files: string[];
}

/** A text's outcome: its record, why it was skipped (a string), or ALTERED when its object does not hash to its blob id. */
export type TextOutcome = PetitionRecord | string | typeof ALTERED;

/** A cached text whose bytes are not the committed file's. */
export const ALTERED = null;

/** Whether git's object `bytes[start, end)` ("blob <size>\0" and the text) hashes to `blob`. */
export function objectMatches(bytes: Uint8Array, start: number, end: number, blob: string): boolean {
  return hash(blob.length === 64 ? 'sha256' : 'sha1', bytes.subarray(start, end), 'hex') === blob;
}

/**
 * Checks and parses one text: `bytes[textStart, textEnd)`, with git's object from `objectStart`
 * (-1 for a text read through git, which git checked) hashed against `blob` first.
 */
export function checkAndParseText(
  bytes: Buffer,
  objectStart: number,
  textStart: number,
  textEnd: number,
  blob: string,
  file: string,
): TextOutcome {
  if (objectStart >= 0 && !objectMatches(bytes, objectStart, textEnd, blob)) return ALTERED;
  const parsed = parseAnySignatureFile(bytes.toString('utf8', textStart, textEnd), file);
  return parsed.ok ? parsed.record : parsed.problem;
}

/** Every outcome of `batch`, as the JSON the helper thread answers with. */
export function parseBatchToJson(batch: TextBatch): string {
  const packed: unknown[] = [];
  // A Buffer arrives from another thread as a plain Uint8Array: one view for the whole batch.
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  for (let at = 0; at < batch.files.length; at += 1) {
    const outcome = checkAndParseText(
      bytes,
      batch.objectStarts[at]!,
      batch.textStarts[at]!,
      batch.textEnds[at]!,
      batch.blobs[at]!,
      batch.files[at]!,
    );
    packed.push(typeof outcome === 'object' && outcome !== null ? packRecord(outcome) : outcome);
  }
  return JSON.stringify(packed);
}

/** The outcomes the helper's JSON answer holds, in the batch's order. */
export function outcomesFromJson(json: string): TextOutcome[] {
  const packed = JSON.parse(json) as unknown[];
  return packed.map((item) => (Array.isArray(item) ? unpackRecord(item) : (item as string | typeof ALTERED)));
}

/** A record's values in its fields' order: eight for a GitHub signature, ten for an offline one. */
export function packRecord(record: PetitionRecord): unknown[] {
  if (isOffline(record))
    return [
      record.channel,
      record.id,
      record.name,
      record.country,
      record.signed_at,
      record.batch,
      record.row,
      record.collector,
      record.letter_sha256,
      record.reason,
    ];
  return [
    record.name,
    record.country,
    record.login,
    record.user_id,
    record.issue,
    record.signed_at,
    record.letter_sha256,
    record.reason,
  ];
}

/**
 * The record {@link packRecord} packed, built with the same fields in the same order as the
 * parsers' own literals (scripts/core/signature-file.ts, offline-signature.ts).
 */
export function unpackRecord(values: readonly unknown[]): PetitionRecord {
  if (values.length === 10)
    return {
      channel: values[0] as OfflineSignatureRecord['channel'],
      id: values[1] as string,
      name: values[2] as string,
      country: values[3] as string,
      signed_at: values[4] as string,
      batch: values[5] as string,
      row: values[6] as number,
      collector: values[7] as string,
      letter_sha256: values[8] as string,
      reason: values[9] as string,
    };
  return {
    name: values[0] as string,
    country: values[1] as string,
    login: values[2] as string,
    user_id: values[3] as number,
    issue: values[4] as number,
    signed_at: values[5] as string,
    letter_sha256: values[6] as string,
    reason: values[7] as string,
  };
}
