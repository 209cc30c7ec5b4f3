/**
 * Writes sample signature files into a folder (never the real signatures/), for the demo,
 * tests and benchmarks. Usable as a module or as `node --import tsx scripts/tooling/write-sample-signatures.ts DIR N`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  offlineRelativePath,
  renderOfflineSignatureFile,
  type OfflineSignatureRecord,
} from '../core/offline-signature.ts';
import { generateSampleRecords } from '../core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath, type SignatureRecord } from '../core/signature-file.ts';

/** Writes one file per record under `directory`, creating the shard folders. */
export async function writeSignatureFiles(directory: string, records: readonly SignatureRecord[]): Promise<void> {
  const projectSignatures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..', 'signatures');
  if (path.resolve(directory) === projectSignatures) {
    throw new Error('Refusing to write sample signatures into signatures/, which holds real signatures only.');
  }
  const folders = new Set(
    records.map((record) => path.dirname(path.join(directory, signatureRelativePath(record.user_id)))),
  );
  await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
  const batchSize = 256;
  for (let start = 0; start < records.length; start += batchSize) {
    await Promise.all(
      records
        .slice(start, start + batchSize)
        .map((record) =>
          writeFile(path.join(directory, signatureRelativePath(record.user_id)), renderSignatureFile(record)),
        ),
    );
  }
}

/** Writes sample paper and email signatures under `directory`/offline/, as add-signatures would. */
export async function writeOfflineSignatureFiles(
  directory: string,
  records: readonly OfflineSignatureRecord[],
): Promise<void> {
  const projectSignatures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..', 'signatures');
  if (path.resolve(directory) === projectSignatures) {
    throw new Error('Refusing to write sample signatures into signatures/, which holds real signatures only.');
  }
  for (const record of records) {
    const file = path.join(directory, offlineRelativePath(record.id));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, renderOfflineSignatureFile(record));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [directory, countText = '1000'] = process.argv.slice(2);
  if (!directory) {
    console.error('usage: node --import tsx scripts/tooling/write-sample-signatures.ts DIRECTORY [COUNT]');
    process.exit(2);
  }
  await writeSignatureFiles(directory, generateSampleRecords(Number(countText)));
  console.log(`wrote ${countText} sample signatures to ${directory}`);
}
