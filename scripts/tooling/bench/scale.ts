/**
 * The scale section of `npm run bench` (issue #22), on its own with `--only=scale`: an empty
 * build, then the Pages workflow's build of N generated signatures through git (first build
 * without a cache, the rebuild after one processor run with the records (and record cache) the first kept, a clean build of
 * the same commit), and, with `--agree`, `npm run tally` and `npm run verify` run against the
 * clean build, which must agree with it. Every figure is wall time, CPU time (user + system) and
 * the peak resident memory of the whole process tree (the build and its git processes).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureBuild, projectRoot, type BuildRun } from './build.ts';
import { measureIncremental, type IncrementalResult } from './incremental.ts';
import { sampleTreeMemory } from './tree-memory.ts';

const preload = pathToFileURL(path.join(projectRoot, 'scripts/tooling/bench/resource-usage.mjs')).href;

/** A command's cost, measured as a build's is. */
export interface CommandRun {
  wallMs: number;
  cpuMs: number;
  treeRssKb: number;
  code: number | null;
  stdout: string;
}

/** Runs `node --import tsx <script> ...args` from the project root with `env` added, and measures it. */
export async function measureCommand(script: string, args: string[], env: Record<string, string>): Promise<CommandRun> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-command-'));
  const resourceFile = path.join(work, 'resources.json');
  try {
    const started = performance.now();
    let peak = 0;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', preload, '--import', 'tsx', script, ...args], {
        cwd: projectRoot,
        env: { ...process.env, BENCH_RESOURCE_FILE: resourceFile, ...env },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const sampler = child.pid === undefined ? undefined : sampleTreeMemory(child.pid);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-200_000)));
      child.on('error', reject);
      child.on('close', (exitCode) => {
        peak = sampler?.stop() ?? 0;
        resolve({ code: exitCode, stdout: out });
      });
    });
    const wallMs = performance.now() - started;
    const usage = JSON.parse(await readFile(resourceFile, 'utf8').catch(() => '{}')) as {
      maxRssKb?: number;
      userCpuUs?: number;
      systemCpuUs?: number;
    };
    return {
      wallMs,
      cpuMs: ((usage.userCpuUs ?? 0) + (usage.systemCpuUs ?? 0)) / 1000,
      treeRssKb: Math.max(peak, usage.maxRssKb ?? 0),
      code,
      stdout,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** What `npm run tally` and `npm run verify` said about the clean build. */
export interface Agreement {
  /** The site's data/tally.json: count and digest. */
  site: { count: number; digest: string };
  /** `npm run tally --json` through git, every file read, no cache. */
  tally: CommandRun & { count?: number; digest?: string };
  /** `npm run verify -- --site <the clean build>`, through git, no cache. */
  verify: CommandRun;
}

export interface ScaleResult extends IncrementalResult {
  /** The empty build (0 signatures, from a folder), the best of two. */
  empty: BuildRun;
  agreement?: Agreement;
}

/** Measures the scale section at `count` signatures; `agree` adds the tally and verify runs. */
export async function measureScale(count: number, { agree = false, added = 1000 } = {}): Promise<ScaleResult> {
  const emptyFolder = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-empty-'));
  let empty: BuildRun;
  try {
    const runs = [await measureBuild(emptyFolder), await measureBuild(emptyFolder)];
    empty = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
  } finally {
    await rm(emptyFolder, { recursive: true, force: true });
  }
  let agreement: Agreement | undefined;
  const result = await measureIncremental(count, Math.min(added, Math.floor(count / 10)), async (output, env) => {
    if (!agree) return;
    const tallyJson = JSON.parse(await readFile(path.join(output, 'data/tally.json'), 'utf8')) as {
      signature_count: number;
      digest: { value: string };
    };
    // The recount and the verifier read every file through git, without the record cache.
    const gitEnv = { ...env, PETITION_RECORD_CACHE: '', PETITION_TRUSTED_RECORDS: '' };
    const tally = await measureCommand('scripts/commands/tally.ts', ['--json'], gitEnv);
    const counted = parseTally(tally.stdout);
    const verify = await measureCommand('scripts/commands/verify.ts', ['--site', output], gitEnv);
    agreement = {
      site: { count: tallyJson.signature_count, digest: tallyJson.digest.value },
      tally: { ...tally, ...counted },
      verify,
    };
  });
  return { ...result, empty, ...(agreement ? { agreement } : {}) };
}

function parseTally(stdout: string): { count?: number; digest?: string } {
  try {
    const json = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { signature_count: number; digest: string };
    return { count: json.signature_count, digest: json.digest };
  } catch {
    return {};
  }
}

/** The scale targets (issue #22): at 1,000,000 and below 1 GB, above it 2 GB (the 3,000,000 run). */
export function scaleTargets(result: ScaleResult): Array<{ ok: boolean; line: string; correctness: boolean }> {
  const { count, empty, cold, warm, clean, differences, agreement } = result;
  const int = (n: number) => Math.round(n).toLocaleString('en');
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const mb = (kb: number) => `${int(kb / 1024)} MB`;
  const budgetKb = (count <= 1_000_000 ? 1 : 2) * 1024 * 1024;
  const ratio = clean.wallMs / empty.wallMs;
  const note = count === 1_000_000 ? '' : ` (the targets are set at 1,000,000; measured at ${int(count)})`;
  const targets = [
    {
      ok: ratio <= 15,
      line: `a build of ${int(count)} signatures, every file read through git, ≤ 15 × an empty build: ${s(clean.wallMs)} against ${s(empty.wallMs)}, ${ratio.toFixed(1)} × (CPU ${s(clean.cpuMs)} against ${s(empty.cpuMs)}, ${(clean.cpuMs / empty.cpuMs).toFixed(1)} ×)${note}`,
      correctness: false,
    },
    {
      ok: [cold, warm, clean].every((run) => run.treeRssKb <= budgetKb),
      line: `peak memory of the whole process tree ≤ ${budgetKb / 1024 / 1024} GB: first build ${mb(cold.treeRssKb)}, rebuild ${mb(warm.treeRssKb)}, clean build ${mb(clean.treeRssKb)} (the build process alone: ${mb(Math.max(cold.maxRssKb, warm.maxRssKb, clean.maxRssKb))})`,
      correctness: false,
    },
    {
      ok: warm.wallMs <= 10_000,
      line: `the rebuild after ${int(result.added)} new signatures, with the records of the build before and the record cache, ≤ 10 s: ${s(warm.wallMs)} (CPU ${s(warm.cpuMs)})${note}`,
      correctness: false,
    },
    {
      ok: differences.length === 0,
      line: `the rebuild is byte for byte the clean build (${differences.length ? `differs in ${differences.slice(0, 5).join(', ')}` : 'identical'})`,
      correctness: true,
    },
    {
      ok: clean.sizes.siteBytes <= 1024 ** 3,
      line: `the published site fits GitHub Pages' 1 GB: ${int(clean.sizes.siteBytes / 1024 ** 2)} MB`,
      correctness: false,
    },
    // Below 1,000,000 the bench judges the size by its slope carried to a million (bench.ts).
    ...(count < 1_000_000
      ? []
      : [
          {
            ok: clean.sizes.siteBytes <= 250 * count && clean.sizes.largestFile <= 25 * 1024 ** 2,
            line: `the published site ≤ 250 bytes a signature with no file over 25 MB: ${int(clean.sizes.siteBytes / count)} bytes, largest ${clean.sizes.largestFileName} ${(clean.sizes.largestFile / 1024 ** 2).toFixed(1)} MB`,
            correctness: false,
          },
        ]),
  ];
  if (agreement) {
    const { site, tally, verify } = agreement;
    targets.push({
      ok: tally.code === 0 && tally.count === site.count && tally.digest === site.digest && site.count === count,
      line: `npm run tally (through git, no cache) agrees with the site: ${tally.count === undefined ? 'no answer' : int(tally.count)} signatures and digest ${tally.digest?.slice(0, 12) ?? '?'}…, the site ${int(site.count)} and ${site.digest.slice(0, 12)}… (${s(tally.wallMs)}, CPU ${s(tally.cpuMs)}, ${mb(tally.treeRssKb)})`,
      correctness: true,
    });
    const verdict = verify.stdout.trim().split('\n').at(-1) ?? '';
    targets.push({
      ok: verify.code === 0,
      // Its one-line verdict whole (about 250 characters with a temporary folder's path); a longer line is cut visibly.
      line: `npm run verify agrees with the site: ${verdict.length > 400 ? `${verdict.slice(0, 399)}…` : verdict} (${s(verify.wallMs)}, CPU ${s(verify.cpuMs)}, ${mb(verify.treeRssKb)})`,
      correctness: true,
    });
  }
  return targets;
}
