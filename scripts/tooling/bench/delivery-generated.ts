/**
 * For `npm run bench`: the delivery packet of N generated signatures, held in memory rather than
 * written as N files first (a million files take gigabytes of disk and minutes to write, and
 * reading them is the build's cost, measured there). Writes to the folder given.
 *
 *   node --import tsx scripts/tooling/bench/delivery-generated.ts N OUT
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSampleRecords } from '../../core/sample-signatures.ts';
import { resolveSettings } from '../../core/settings.ts';
import { readLetters, writePacket } from '../../commands/delivery.ts';
import { projectRoot } from './build.ts';

const [count, out] = [Number(process.argv[2]), process.argv[3]];
if (!Number.isInteger(count) || count < 0 || !out) {
  console.error('usage: node --import tsx scripts/tooling/bench/delivery-generated.ts N OUT');
  process.exit(2);
}
const settings = resolveSettings(JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')));
const records = generateSampleRecords(count, { seed: 7 });
const result = await writePacket(settings, records, await readLetters(settings.language), {
  out,
  commit: 'bench',
});
if (result.missing.size > 0) process.exitCode = 1;
