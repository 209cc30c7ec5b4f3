/**
 * `npm run demo`: the site with a few thousand made-up signatures, served on localhost with
 * live reload. The samples go to a temporary folder, never into signatures/.
 */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOfflineSampleRecords, generateSampleRecords } from './core/sample-signatures.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from './write-sample-signatures.ts';
import { eleventyArguments } from './eleventy-command.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const count = Number(process.argv[2] ?? 3000);
if (!Number.isInteger(count) || count < 0) {
  console.error('usage: npm run demo [-- COUNT]   (COUNT: how many sample signatures, default 3000)');
  process.exit(2);
}
const directory = await mkdtemp(path.join(os.tmpdir(), 'petition-demo-'));
// One in ten collected on paper or by email, so the demo shows how offline signatures are labelled.
const offline = Math.floor(count / 10);
await writeSignatureFiles(directory, generateSampleRecords(count - offline));
await writeOfflineSignatureFiles(directory, generateOfflineSampleRecords(offline));
console.log(
  `Wrote ${count} sample signatures (${offline} on paper or by email) to ${directory}; building and serving the site…`,
);

const eleventy = spawn(process.execPath, eleventyArguments({ serve: true }), {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, SIGNATURES_DIR: directory, PATH_PREFIX: process.env.PATH_PREFIX ?? '/' },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => eleventy.kill(signal));
eleventy.on('exit', (code) => process.exit(code ?? 0));
