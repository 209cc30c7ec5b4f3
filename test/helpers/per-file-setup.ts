/**
 * Runs before every test file (vitest `setupFiles`): marks the processes this file starts, and
 * stops all of them when the file ends, passed or failed.
 *
 * PETITION_TEST_PROFILE=<file> appends one line a test file to <file>: its wall time and the CPU
 * time of its worker process (each file has its own: vitest isolates them) and of the processes
 * the worker waited for (builds, browsers, Java), from /proc (Linux). That is how the per-file
 * figures of docs/performance.md were taken.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { afterAll, expect } from 'vitest';
import { killMarked, OWNER_VARIABLE, stopTracked } from './processes.ts';

const marker = `${process.env.PETITION_TEST_RUN ?? 'run'}:${randomUUID()}`;
process.env[OWNER_VARIABLE] = marker;

/** CPU seconds of this process and of its waited-for children (/proc/self/stat, in clock ticks of 10 ms). */
async function cpuSeconds(): Promise<{ own: number; children: number } | undefined> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // utime, stime, cutime, cstime are fields 14–17 of the line, 12–15 after the name.
  return { own: (fields[11]! + fields[12]!) / 100, children: (fields[13]! + fields[14]!) / 100 };
}

const profile = process.env.PETITION_TEST_PROFILE;
const started = Date.now();

afterAll(async () => {
  stopTracked();
  await killMarked(OWNER_VARIABLE, marker);
  const cpu = profile ? await cpuSeconds() : undefined;
  if (profile && cpu) {
    const line = {
      file: expect.getState().testPath,
      wallSeconds: (Date.now() - started) / 1000,
      workerCpuSeconds: cpu.own,
      childCpuSeconds: cpu.children,
    };
    await appendFile(profile, `${JSON.stringify(line)}\n`);
  }
});
