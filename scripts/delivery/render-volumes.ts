/**
 * Renders volumes to PDF, on helper threads when there are several: each volume is independent,
 * so two cores write two volumes at once. Used by scripts/commands/delivery.ts and the benchmark.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadFonts } from './fonts.ts';
import type { Packet } from './packet.ts';
import { writeVolumePdf } from './pdf.ts';
import type { Volume } from './volumes.ts';

export interface VolumeJob {
  volume: Volume;
  /** Absolute path of the PDF to write. */
  file: string;
}

/** For each code point no font could draw, the user ids whose names have it. */
export type MissingGlyphs = Map<number, Array<number | string>>;

function merge(into: MissingGlyphs, from: Iterable<[number, Array<number | string>]>) {
  for (const [codePoint, ids] of from) into.set(codePoint, [...(into.get(codePoint) ?? []), ...ids]);
}

/** Writes the volumes in this thread, one after another. */
export async function renderVolumesHere(packet: Packet, jobs: readonly VolumeJob[]): Promise<MissingGlyphs> {
  const fonts = loadFonts();
  const missing: MissingGlyphs = new Map();
  for (const job of jobs) merge(missing, await writeVolumePdf(job.file, packet, job.volume, fonts));
  return missing;
}

/** How many threads to use by default: one per core, at most one per volume. */
export function defaultThreads(volumes: number): number {
  return Math.max(1, Math.min(volumes, availableParallelism()));
}

const workerUrl = new URL('./volume-worker.ts', import.meta.url).href;

/**
 * Each helper thread's heap limit. A thread holds one volume at a time (10,000 signatures by
 * default: about 60 MB with its fonts and pdfkit's caches), but V8 lets a heap grow far beyond
 * what is live before it collects; the limit makes it collect instead, which keeps the whole
 * command under 1 GB at any count.
 */
const THREAD_HEAP_MB = 256;

/**
 * Writes the volumes on `threads` helper threads; with one thread, in this one. Each helper is
 * handed one volume at a time and asks for the next when it is done, so no thread holds more
 * than one volume's signatures and a slow volume does not hold up the others. The helpers load
 * this same TypeScript through tsx.
 */
export async function renderVolumes(
  packet: Packet,
  jobs: readonly VolumeJob[],
  threads: number,
): Promise<MissingGlyphs> {
  if (threads <= 1 || jobs.length <= 1) return renderVolumesHere(packet, jobs);
  const missing: MissingGlyphs = new Map();
  let next = 0;
  await Promise.all(
    Array.from(
      { length: Math.min(threads, jobs.length) },
      () =>
        new Promise<void>((resolve, reject) => {
          // Module loader hooks are per thread, so the helper registers tsx before loading the
          // TypeScript (a worker given a .ts file, or --import tsx in execArgv, does not get it).
          const worker = new Worker(
            `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
              `.then(({ register }) => { register(); return import(${JSON.stringify(workerUrl)}); })`,
            { eval: true, workerData: { packet }, resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } },
          );
          const handOut = () => {
            const job = jobs[next++];
            worker.postMessage(job ?? null);
          };
          worker.on('message', (message: { ready: true } | { missing: [number, number[]][] }) => {
            if ('missing' in message) merge(missing, message.missing);
            handOut();
          });
          worker.on('error', reject);
          worker.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`A volume thread stopped (exit ${code}).`)),
          );
        }),
    ),
  );
  return missing;
}
