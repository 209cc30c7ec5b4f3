/**
 * `npm run demo`: the site with a few thousand made-up signatures, served on localhost with
 * live reload, exactly as the real site is served: under the path prefix of the settings
 * (`PATH_PREFIX` overrides it, as for a build). The samples and the built site go to a
 * temporary folder, never into signatures/ or _site/, and are removed when the demo stops.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSettings } from '../core/settings.ts';
import { readSampleReasons } from '../store/samples.ts';
import { generateOfflineSampleRecords, generateSampleRecords } from '../core/sample-signatures.ts';
import { writeOfflineSignatureFiles, writeSignatureFiles } from './write-sample-signatures.ts';
import { eleventyArguments } from './eleventy-command.ts';
import { superviseChild } from './run-child.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const count = Number(process.argv[2] ?? 3000);
if (!Number.isInteger(count) || count < 0) {
  console.error('usage: npm run demo [-- COUNT]   (COUNT: how many sample signatures, default 3000)');
  process.exit(2);
}
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-demo-'));
const directory = path.join(work, 'signatures');
// One in ten collected on paper or by email, so the demo shows how offline signatures are labelled.
const offline = Math.floor(count / 10);
// The reasons come from the petition's content/samples.yml, so the demo speaks of its own cause.
const reasons = await readSampleReasons(projectRoot);
await writeSignatureFiles(directory, generateSampleRecords(count - offline, { reasons }));
await writeOfflineSignatureFiles(directory, generateOfflineSampleRecords(offline, { reasons }));
const settingsPath = process.env.PETITION_SETTINGS
  ? path.resolve(projectRoot, process.env.PETITION_SETTINGS)
  : path.join(projectRoot, 'content/settings.json');
const settings = resolveSettings(JSON.parse(await readFile(settingsPath, 'utf8')), process.env);
const port = Number(process.env.PORT) || 8080;
console.log(
  `Wrote ${count.toLocaleString('en')} sample signatures (${offline.toLocaleString('en')} on paper or by email) to ${directory}; building and serving the site at ` +
    `http://localhost:${port}${settings.path_prefix} (Eleventy names another port below if ${port} is taken).`,
);

const eleventy = spawn(process.execPath, eleventyArguments({ serve: true, output: path.join(work, '_site') }), {
  cwd: projectRoot,
  stdio: 'inherit',
  env: { ...process.env, SIGNATURES_DIR: directory },
});
superviseChild(eleventy, () => rm(work, { recursive: true, force: true }));
