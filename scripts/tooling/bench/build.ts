/**
 * The build half of `npm run bench`: writes N sample signature files in the real format into a
 * temporary folder, builds the whole site against them (SIGNATURES_DIR, its own --output) and
 * measures wall time, peak memory (the build's own getrusage, via resource-usage.cjs), CPU time
 * and page sizes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateSampleRecords } from '../../core/sample-signatures.ts';
import { resolveSettings } from '../../core/settings.ts';
import { letterDigest } from '../../core/tally.ts';
import { loadSignatures } from '../../store/load-signatures.ts';
import { buildSiteData } from '../../site/site-data.ts';
import { writeSignatureFiles } from '../write-sample-signatures.ts';
import { eleventyArguments } from '../eleventy-command.ts';
import { removeLater } from './deferred-removal.ts';
import { sampleTreeMemory } from './tree-memory.ts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const preload = pathToFileURL(path.join(projectRoot, 'scripts/tooling/bench/resource-usage.mjs')).href;

/** Every sample signer read the current letter, as real signers record it: 64 more bytes a signature in the open data. */
export async function sampleLetterSha256(): Promise<string> {
  return letterDigest(await readFile(path.join(projectRoot, 'content/letter.md'), 'utf8'));
}

/** Writes `count` sample signatures (fixed seed) into a new temporary folder. */
export async function writeSampleFolder(count: number): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), `petition-bench-${count}-`));
  await writeSignatureFiles(
    directory,
    generateSampleRecords(count, { seed: 7, letterSha256: await sampleLetterSha256() }),
  );
  return directory;
}

export interface PageSizes {
  home: number;
  letter: number;
  /** The delivery page: the letter and an index of the printable volumes. */
  delivery: number;
  /** How many printable volumes (/letter/delivery/<n>/) and the largest one. */
  deliveryVolumes: number;
  deliveryVolumeMax: number;
  /** The largest page of the full list (/signatures/ and /signatures/<n>/). */
  listPageMax: number;
  listPages: number;
  /** The open data: the compressed CSV parts together (one per list page). */
  openDataParts: number;
  /** The whole site, and its largest file (GitHub Pages: 1 GB a site; GitHub warns at 50 MB a file). */
  siteBytes: number;
  largestFile: number;
  largestFileName: string;
  /** signature_count in the built data/tally.json, to check the build saw every file. */
  counted: number;
}

export interface BuildRun {
  wallMs: number;
  cpuMs: number;
  /** The build process's own peak resident memory (getrusage). */
  maxRssKb: number;
  /** The peak of the whole process tree's resident memory (the build and the git processes it starts), sampled. */
  treeRssKb: number;
  sizes: PageSizes;
}

const size = async (file: string) => (await stat(file)).size;

async function pageSizes(output: string): Promise<PageSizes> {
  const listDir = path.join(output, 'signatures');
  const numbered = (await readdir(listDir)).filter((entry) => /^\d+$/.test(entry));
  const listSizes = await Promise.all(
    ['index.html', ...numbered.map((n) => `${n}/index.html`)].map((page) => size(path.join(listDir, page))),
  );
  const tally = JSON.parse(await readFile(path.join(output, 'data/tally.json'), 'utf8')) as { signature_count: number };
  const volumeDir = path.join(output, 'letter/delivery');
  const volumes = (await readdir(volumeDir)).filter((entry) => /^\d+$/.test(entry));
  const volumeSizes = await Promise.all(volumes.map((n) => size(path.join(volumeDir, n, 'index.html'))));
  return {
    home: await size(path.join(output, 'index.html')),
    letter: await size(path.join(output, 'letter/index.html')),
    delivery: await size(path.join(output, 'letter/delivery/index.html')),
    deliveryVolumes: volumes.length,
    deliveryVolumeMax: Math.max(0, ...volumeSizes),
    listPageMax: Math.max(...listSizes),
    listPages: numbered.length,
    ...(await openDataSizes(output)),
    ...(await siteSize(output)),
    counted: tally.signature_count,
  };
}

async function openDataSizes(output: string): Promise<{ openDataParts: number }> {
  const index = JSON.parse(await readFile(path.join(output, 'data/signatures/index.json'), 'utf8')) as {
    parts: { bytes: number }[];
  };
  return { openDataParts: index.parts.reduce((sum, part) => sum + part.bytes, 0) };
}

/** The published-size targets of issue 22: 3,000,000 signatures must fit GitHub Pages' 1 GB with room. */
export const PUBLISHED_TARGETS = { bytesPerSignatureAt1M: 250, largestFileBytes: 25 * 1024 ** 2 } as const;

/**
 * The published site's bytes a signature at 1,000,000, from builds at two sizes (`lower` may be
 * the empty build): the slope between them is what each signature adds, and what is left at the
 * upper size is the constant part (the site's own pages, and the receipt pages' frames, 1,000 a language,
 * which all exist from a few thousand signers on), so a measurement at 100,000 is neither
 * flattered nor burdened by the fixed megabytes when it is carried to 1,000,000.
 */
export function publishedPerSignature(
  lower: { count: number; siteBytes: number },
  upper: { count: number; siteBytes: number },
): { constantBytes: number; marginal: number; at1M: number; measured: number; ok: boolean; line: string } {
  const span = upper.count - lower.count;
  const marginal = span > 0 ? (upper.siteBytes - lower.siteBytes) / span : 0;
  const constantBytes = upper.siteBytes - marginal * upper.count;
  const at1M = (constantBytes + marginal * 1_000_000) / 1_000_000;
  const measured = upper.count > 0 ? upper.siteBytes / upper.count : 0;
  const ok = span > 0 && at1M <= PUBLISHED_TARGETS.bytesPerSignatureAt1M;
  const line =
    `published site ${at1M.toFixed(0)} bytes a signature at 1,000,000 ≤ ${PUBLISHED_TARGETS.bytesPerSignatureAt1M} ` +
    `(measured at ${upper.count.toLocaleString('en')}: ${(upper.siteBytes / 1024 ** 2).toFixed(1)} MB, ${measured.toFixed(0)} bytes a signature; ` +
    `${marginal.toFixed(0)} bytes for each signature from ${lower.count.toLocaleString('en')} on, and ${(constantBytes / 1024 ** 2).toFixed(1)} MB that do not grow)`;
  return { constantBytes, marginal, at1M, measured, ok, line };
}

/** Every file's size under `output`, summed, and the largest one. */
export async function siteSize(
  output: string,
): Promise<{ siteBytes: number; largestFile: number; largestFileName: string }> {
  let siteBytes = 0;
  let largestFile = 0;
  let largestFileName = '';
  for (const entry of await readdir(output, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await size(file);
    siteBytes += bytes;
    if (bytes > largestFile) [largestFile, largestFileName] = [bytes, path.relative(output, file)];
  }
  return { siteBytes, largestFile, largestFileName };
}

/** SHA-256 of every file under `output`, by path: two builds are the same site when these are equal. */
export async function siteFingerprint(output: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(output, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(
      path.relative(output, file),
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    );
  }
  return files;
}

/**
 * Runs `npm run build`'s command once against `signaturesDir` into a fresh output folder and
 * measures it. `env` adds to the environment (the diagnostic run sets PATH_PREFIX=/).
 */
export async function measureBuild(
  signaturesDir: string,
  env: Record<string, string> = {},
  inspect?: (output: string) => Promise<void>,
): Promise<BuildRun> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-build-'));
  const output = path.join(work, '_site');
  const resourceFile = path.join(work, 'resources.json');
  try {
    const started = performance.now();
    let treeRssKb = 0;
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, eleventyArguments({ output, preloads: [preload] }), {
        cwd: projectRoot,
        env: { ...process.env, SIGNATURES_DIR: signaturesDir, BENCH_RESOURCE_FILE: resourceFile, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const sampler = child.pid === undefined ? undefined : sampleTreeMemory(child.pid);
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-100_000)));
      child.on('error', reject);
      child.on('exit', (exitCode) => {
        treeRssKb = sampler?.stop() ?? 0;
        resolve({ code: exitCode, stderr: errors });
      });
    });
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`The build failed (exit ${code}):\n${stderr}`);
    const usage = JSON.parse(await readFile(resourceFile, 'utf8')) as {
      maxRssKb: number;
      userCpuUs: number;
      systemCpuUs: number;
    };
    await inspect?.(output);
    return {
      wallMs,
      cpuMs: (usage.userCpuUs + usage.systemCpuUs) / 1000,
      maxRssKb: usage.maxRssKb,
      treeRssKb: Math.max(treeRssKb, usage.maxRssKb),
      sizes: await pageSizes(output),
    };
  } finally {
    // Not now: the next build would pay for it (./deferred-removal.ts).
    removeLater(work);
  }
}

/** Time spent in the build's own data step, measured in this process: reading and checking the files, then the site data. */
export async function measureDataStep(signaturesDir: string): Promise<{ loadMs: number; siteDataMs: number }> {
  const settings = resolveSettings(JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')));
  const letterText = await readFile(path.join(projectRoot, 'content/letter.md'), 'utf8');
  let started = performance.now();
  const { records } = await loadSignatures(signaturesDir);
  const loadMs = performance.now() - started;
  started = performance.now();
  buildSiteData(settings, records, letterText, new Date());
  return { loadMs, siteDataMs: performance.now() - started };
}
