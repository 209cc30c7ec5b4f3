/**
 * The delivery half of `npm run bench`: runs `npm run delivery`'s command once against a folder
 * of sample signatures into a temporary folder and measures wall time, CPU time and peak memory
 * (the process's own getrusage, helper threads included, via resource-usage.mjs), and the sizes
 * of the files it wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeliveryManifest } from '../../delivery/manifest.ts';
import { projectRoot } from './build.ts';

const preload = pathToFileURL(path.join(projectRoot, 'scripts/tooling/bench/resource-usage.mjs')).href;

export interface DeliveryRun {
  wallMs: number;
  cpuMs: number;
  maxRssKb: number;
  signatures: number;
  volumes: number;
  /** The largest volume PDF and HTML, and the letter PDF, in bytes. */
  largestPdf: number;
  largestHtml: number;
  letterPdf: number;
  totalBytes: number;
}

/**
 * Builds the packet and measures it: from a folder of signature files with `npm run delivery`'s
 * command, or from `generated` signatures held in memory (scripts/tooling/bench/delivery-generated.ts).
 */
export async function measureDelivery(
  source: { signaturesDir: string } | { generated: number },
  threads?: number,
): Promise<DeliveryRun> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-delivery-'));
  const out = path.join(work, 'packet');
  const resourceFile = path.join(work, 'resources.json');
  try {
    const started = performance.now();
    const args =
      'generated' in source
        ? [
            '--import',
            'tsx',
            '--import',
            preload,
            'scripts/tooling/bench/delivery-generated.ts',
            String(source.generated),
            out,
          ]
        : ['--import', 'tsx', '--import', preload, 'scripts/commands/delivery.ts', '--out', out, '--commit', 'bench'];
    if (threads && !('generated' in source)) args.push('--threads', String(threads));
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: projectRoot,
        env: {
          ...process.env,
          ...('signaturesDir' in source ? { SIGNATURES_DIR: source.signaturesDir } : {}),
          BENCH_RESOURCE_FILE: resourceFile,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let errors = '';
      child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve({ code: exitCode, stderr: errors }));
    });
    const wallMs = performance.now() - started;
    if (code !== 0) throw new Error(`npm run delivery failed (exit ${code}):\n${stderr}`);
    const usage = JSON.parse(await readFile(resourceFile, 'utf8')) as {
      maxRssKb: number;
      userCpuUs: number;
      systemCpuUs: number;
    };
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as DeliveryManifest;
    const sizes = (kind: string, format: string) =>
      manifest.files.filter((f) => f.kind === kind && f.format === format).map((f) => f.bytes);
    return {
      wallMs,
      cpuMs: (usage.userCpuUs + usage.systemCpuUs) / 1000,
      maxRssKb: usage.maxRssKb,
      signatures: manifest.signature_count,
      volumes: manifest.volume_count,
      largestPdf: Math.max(0, ...sizes('volume', 'pdf')),
      largestHtml: Math.max(0, ...sizes('volume', 'html')),
      letterPdf: sizes('letter', 'pdf')[0] ?? 0,
      totalBytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
