/**
 * `npm run audit:pages`: builds the site into a temporary folder, serves it on localhost under
 * its path prefix (as GitHub Pages serves a project site), and runs Lighthouse with its default
 * mobile preset on the home, letter, signatures, countries and poster pages, and the Russian and
 * Chinese home, sign and letter pages. Prints the four category scores per
 * page, and every audit that cost points, and exits 1 if a score is below its target.
 *
 *   npm run audit:pages                        the real signatures/ (or SIGNATURES_DIR)
 *   npm run audit:pages -- --sample 3000       3,000 made-up signatures, in a temporary folder
 *   npm run audit:pages -- --runs 5            audit each page 5 times (default 3) and keep the
 *                                              median run, as Lighthouse advises: timings vary
 *   npm run audit:pages -- --reports DIR       also write each page's median report (HTML, JSON) to DIR
 *
 * Needs Chromium: CHROME_PATH, default /usr/bin/chromium. Nothing is fetched from the network.
 * Lighthouse (with its 150 MB of dependencies) lives in this folder's own package, which
 * scripts/tooling/audit-pages.ts installs on first use, so that `npm ci` stays light.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { generateReport, type Result } from 'lighthouse';
import { computeMedianRun } from 'lighthouse/core/lib/median-run.js';
import { CHROMIUM_FLAGS, chromiumPath, missingChromiumMessage } from '../chromium.ts';
import { generateSampleRecords } from '../../core/sample-signatures.ts';
import { eleventyArguments } from '../eleventy-command.ts';
import { resolveSettings } from '../../core/settings.ts';
import { serveStatic } from '../static-server.ts';
import { writeSignatureFiles } from '../write-sample-signatures.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);
const lighthouseVersion = (createRequire(import.meta.url)('lighthouse/package.json') as { version: string }).version;

/** The pages audited, relative to the site's root. */
const PAGES = [
  { name: 'home', path: '' },
  { name: 'letter', path: 'letter/' },
  { name: 'signatures', path: 'signatures/' },
  // The pages of pictures: the map and chart, and the poster with its QR code.
  { name: 'countries', path: 'signatures/countries/' },
  { name: 'poster', path: 'poster/' },
  // The translations' most visited pages.
  ...['ru', 'zh'].flatMap((language) => [
    { name: `${language} home`, path: `${language}/` },
    { name: `${language} sign`, path: `${language}/sign/` },
    { name: `${language} letter`, path: `${language}/letter/` },
  ]),
];
/** Lighthouse categories and the score (0–100) each must reach. */
const TARGETS = { performance: 100, accessibility: 100, 'best-practices': 100, seo: 100 } as const;
type Category = keyof typeof TARGETS;
const CATEGORIES = Object.keys(TARGETS) as Category[];

const { values: options } = parseArgs({
  options: {
    sample: { type: 'string' },
    runs: { type: 'string', default: '3' },
    reports: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const sample = options.sample === undefined ? undefined : Number(options.sample);
const runs = Number(options.runs);
if (
  options.help ||
  (sample !== undefined && (!Number.isInteger(sample) || sample < 0)) ||
  !Number.isInteger(runs) ||
  runs < 1
) {
  console.error('usage: npm run audit:pages [-- --sample COUNT] [--runs N] [--reports DIRECTORY]');
  process.exit(options.help ? 0 : 2);
}

const missingBrowser = await missingChromiumMessage();
if (missingBrowser) {
  console.error(missingBrowser);
  process.exit(1);
}

// Other work on the machine slows the main thread that Lighthouse measures: note it now, before our own.
const loadBefore = os.loadavg()[0]!;
const cores = os.availableParallelism();
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-audit-'));
const env: NodeJS.ProcessEnv = { ...process.env };
if (sample !== undefined) {
  env.SIGNATURES_DIR = path.join(work, 'signatures');
  await writeSignatureFiles(env.SIGNATURES_DIR, generateSampleRecords(sample));
}
const settingsPath = env.PETITION_SETTINGS
  ? path.resolve(projectRoot, env.PETITION_SETTINGS)
  : path.join(projectRoot, 'content/settings.json');
const settings = resolveSettings(JSON.parse(await readFile(settingsPath, 'utf8')), env);

const output = path.join(work, '_site');
console.log(
  `Building the site (${sample === undefined ? 'signatures from ' + (env.SIGNATURES_DIR || 'signatures/') : `${sample} sample signatures`})…`,
);
try {
  await run(process.execPath, eleventyArguments({ output }), { cwd: projectRoot, env, maxBuffer: 64 * 1024 * 1024 });
} catch (error) {
  await rm(work, { recursive: true, force: true });
  throw error;
}

const site = await serveStatic(output, settings.path_prefix);
const chrome = await chromeLauncher.launch({
  chromePath: chromiumPath(),
  chromeFlags: [...CHROMIUM_FLAGS],
});
const version = await fetch(`http://127.0.0.1:${chrome.port}/json/version`)
  .then((response) => response.json() as Promise<{ Browser?: string }>)
  .then((body) => body.Browser ?? 'unknown')
  .catch(() => 'unknown');
console.log(
  `Lighthouse ${lighthouseVersion}, mobile preset, ${version}, median of ${runs} run(s) per page, site served at ${site.url}\n`,
);

const results: { name: string; scores: Record<Category, number>; lhr: Result }[] = [];
try {
  for (const page of PAGES) {
    const lhrs: Result[] = [];
    for (let attempt = 0; attempt < runs; attempt += 1) {
      const runnerResult = await lighthouse(site.url + page.path, {
        port: chrome.port,
        logLevel: 'error',
        onlyCategories: CATEGORIES,
      });
      if (!runnerResult) throw new Error(`Lighthouse returned nothing for ${page.name}.`);
      const { lhr } = runnerResult;
      if (lhr.runtimeError) throw new Error(`Lighthouse failed on ${page.name}: ${lhr.runtimeError.message}`);
      lhrs.push(lhr);
    }
    const lhr = computeMedianRun(lhrs);
    const scores = Object.fromEntries(
      CATEGORIES.map((category) => [category, Math.round((lhr.categories[category]?.score ?? 0) * 100)]),
    ) as Record<Category, number>;
    results.push({ name: page.name, scores, lhr });
    if (options.reports) {
      await mkdir(options.reports, { recursive: true });
      await writeFile(path.join(options.reports, `${page.name}.report.json`), JSON.stringify(lhr, null, 2));
      await writeFile(path.join(options.reports, `${page.name}.report.html`), generateReport(lhr, 'html'));
    }
  }
} finally {
  chrome.kill();
  await site.close();
  await rm(work, { recursive: true, force: true });
}

const columns = ['page', ...CATEGORIES];
const rows = [
  columns,
  ...results.map(({ name, scores }) => [name, ...CATEGORIES.map((category) => String(scores[category]))]),
  ['target', ...CATEGORIES.map((category) => String(TARGETS[category]))],
];
const widths = columns.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
const line = (row: string[]) =>
  `| ${row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join(' | ')} |`;
console.log(line(rows[0]!));
// Markdown: left-aligned page names, right-aligned scores.
console.log(
  `|${widths.map((width, index) => (index === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
);
for (const row of rows.slice(1)) console.log(line(row));
console.log();
const METRICS = {
  'first-contentful-paint': 'FCP',
  'largest-contentful-paint': 'LCP',
  'total-blocking-time': 'TBT',
  'cumulative-layout-shift': 'CLS',
  'speed-index': 'SI',
};
for (const { name, lhr } of results) {
  const metrics = Object.entries(METRICS).map(([id, label]) => `${label} ${lhr.audits[id]?.displayValue ?? '?'}`);
  console.log(`${name}: ${metrics.join(', ')}`);
}

let belowTarget = 0;
for (const { name, scores, lhr } of results) {
  for (const category of CATEGORIES) {
    if (scores[category] >= TARGETS[category]) continue;
    belowTarget += 1;
    console.log(`\n${name}: ${category} ${scores[category]} (target ${TARGETS[category]}). Audits that cost points:`);
    for (const reference of lhr.categories[category]?.auditRefs ?? []) {
      const audit = lhr.audits[reference.id];
      if (!audit || reference.weight === 0 || audit.score === null || audit.score >= 1) continue;
      const detail = audit.displayValue ? `: ${audit.displayValue}` : '';
      console.log(`  - ${audit.title} (${reference.id}, score ${audit.score}, weight ${reference.weight})${detail}`);
    }
  }
}
if (results.some(({ lhr }) => lhr.runWarnings.length > 0)) {
  const warnings = new Set(results.flatMap(({ lhr }) => lhr.runWarnings));
  console.log(`\nLighthouse warned:\n${[...warnings].map((warning) => `  - ${warning}`).join('\n')}`);
}
if (loadBefore > cores * 0.75) {
  console.log(
    `\nThe machine was busy before the audit (load average ${loadBefore.toFixed(1)} on ${cores} cores): Lighthouse scales the ` +
      'main-thread time it measures, so other work lowers performance scores. Rerun on a quiet machine before trusting them.',
  );
}
if (belowTarget > 0) {
  console.log(`\n${belowTarget} score(s) below target.`);
  process.exit(1);
}
console.log('\nEvery score meets its target.');
