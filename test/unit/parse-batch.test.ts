/**
 * A batch of signature texts gives the same outcomes on the helper thread as on the main thread:
 * the records come back with the same fields, in the same order, with the same values, and a
 * cached text whose bytes are not its blob's is caught on either side.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  offlineRelativePath,
  parseAnySignatureFile,
  renderOfflineSignatureFile,
} from '../../scripts/core/offline-signature.ts';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import {
  ALTERED,
  checkAndParseText,
  outcomesFromJson,
  parseBatchToJson,
  type TextBatch,
} from '../../scripts/store/parse-batch.ts';

/** Git's object of `text` and its id, computed here independently of the loader. */
function gitObject(text: string): { object: Buffer; blob: string } {
  const bytes = Buffer.from(text);
  const object = Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]);
  return { object, blob: createHash('sha1').update(object).digest('hex') };
}

/** A batch of cached texts (each with its object) and one text read through git (without). */
function batchOf(entries: Array<{ file: string; text: string; blob?: string; fromGit?: boolean }>): TextBatch {
  const parts: Buffer[] = [];
  const batch: TextBatch = {
    bytes: new Uint8Array(0),
    objectStarts: new Int32Array(entries.length),
    textStarts: new Int32Array(entries.length),
    textEnds: new Int32Array(entries.length),
    blobs: [],
    files: [],
  };
  let length = 0;
  entries.forEach(({ file, text, blob, fromGit }, at) => {
    const { object, blob: real } = gitObject(text);
    const textBytes = Buffer.byteLength(text);
    batch.objectStarts[at] = fromGit ? -1 : length;
    batch.textStarts[at] = length + (fromGit ? 0 : object.length - textBytes);
    const bytes = fromGit ? Buffer.from(text) : object;
    parts.push(bytes);
    length += bytes.length;
    batch.textEnds[at] = length;
    batch.blobs.push(blob ?? real);
    batch.files.push(file);
  });
  batch.bytes = Buffer.concat(parts);
  return batch;
}

describe('a batch of signature texts parsed on the helper thread', () => {
  const github = generateSampleRecords(3, { seed: 11 });
  const offline = generateOfflineSampleRecords(2, { seed: 3 });
  const entries = [
    ...github.map((record) => ({ file: signatureRelativePath(record.user_id), text: renderSignatureFile(record) })),
    ...offline.map((record) => ({ file: offlineRelativePath(record.id), text: renderOfflineSignatureFile(record) })),
    { file: '01/01/7.md', text: '---\nname: 12\n---\n' },
    { file: signatureRelativePath(github[0]!.user_id), text: renderSignatureFile(github[0]!), fromGit: true },
  ];

  it('gives the records the main thread gives, field for field and in the same order', () => {
    const outcomes = outcomesFromJson(parseBatchToJson(batchOf(entries)));
    expect(outcomes).toHaveLength(entries.length);
    entries.forEach(({ file, text }, at) => {
      const parsed = parseAnySignatureFile(text, file);
      const outcome = outcomes[at];
      if (parsed.ok) {
        expect(outcome).toStrictEqual(parsed.record);
        expect(Object.keys(outcome as object)).toEqual(Object.keys(parsed.record));
      } else expect(outcome).toBe(parsed.problem);
    });
    expect(outcomes.filter((outcome) => typeof outcome === 'object')).toHaveLength(6);
  });

  it('refuses a cached text that does not hash to its blob id, on either thread', () => {
    const forged = { ...entries[0]!, blob: gitObject(entries[1]!.text).blob };
    const batch = batchOf([forged, entries[1]!]);
    const [helper, honest] = outcomesFromJson(parseBatchToJson(batch));
    expect(helper).toBe(ALTERED);
    const expected = parseAnySignatureFile(entries[1]!.text, entries[1]!.file);
    expect(expected.ok && honest).toStrictEqual(expected.ok && expected.record);
    const bytes = Buffer.from(batch.bytes);
    expect(checkAndParseText(bytes, 0, batch.textStarts[0]!, batch.textEnds[0]!, forged.blob, forged.file)).toBe(
      ALTERED,
    );
  });
});
