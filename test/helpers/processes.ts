/**
 * Every process a test starts must be gone when the test file ends, whatever happened: a build
 * that outlives a failed beforeAll keeps a core busy for half an hour on a 2-core machine.
 *
 * Each test file gets a marker in its environment (`PETITION_TEST_OWNER`, set by
 * test/helpers/per-file-setup.ts), which every process it starts inherits, grandchildren
 * included (Eleventy under tsx, Chromium's renderers, Java). At the end of the file, and again
 * when the whole run ends (test/global-setup.ts), every process that carries the marker is
 * killed. Linux's /proc makes this exact; elsewhere the process-group kill of `spawnTracked`
 * still stops what the helpers started.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export const OWNER_VARIABLE = 'PETITION_TEST_OWNER';

/** The ids of live processes whose environment has `variable=value…` (value as a prefix). */
export async function processesMarked(variable: string, valuePrefix: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const needle = Buffer.from(`${variable}=${valuePrefix}`);
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    // A process may end, or belong to another user, between the listing and the read.
    const environ = await readFile(`/proc/${entry}/environ`).catch(() => undefined);
    if (!environ) continue;
    for (const line of splitNul(environ)) if (line.subarray(0, needle.length).equals(needle)) found.push(Number(entry));
  }
  return found;
}

function* splitNul(buffer: Buffer): Generator<Buffer> {
  let start = 0;
  for (let index = buffer.indexOf(0); index !== -1; index = buffer.indexOf(0, start)) {
    yield buffer.subarray(start, index);
    start = index + 1;
  }
  if (start < buffer.length) yield buffer.subarray(start);
}

/** Kills (SIGKILL) every process carrying the marker; returns how many there were. */
export async function killMarked(variable: string, valuePrefix: string): Promise<number> {
  const pids = await processesMarked(variable, valuePrefix);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}

const tracked = new Set<ChildProcess>();

/**
 * `spawn`, in a process group of its own, remembered until it exits, so that `stopTracked` can
 * stop it and everything it started.
 */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { ...options, detached: process.platform !== 'win32' });
  tracked.add(child);
  child.once('exit', () => tracked.delete(child));
  return child;
}

/** Kills the process group of every tracked process that is still running. */
export function stopTracked(): number {
  let stopped = 0;
  for (const child of tracked) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
      stopped += 1;
    } catch {
      child.kill('SIGKILL');
    }
  }
  tracked.clear();
  return stopped;
}

/** Output and exit of a finished process. */
export interface Finished {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a command to its end with `spawnTracked`, collecting its output. Never rejects on exit codes. */
export function runTracked(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        code,
        signal,
      }),
    );
  });
}

/**
 * CPU seconds a live process spent itself and in the children it waited for, from
 * /proc/<pid>/stat (Linux; undefined elsewhere or once it is gone).
 */
export function processCpuTimes(pid: number | 'self'): { own: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // utime, stime, cutime, cstime: fields 14–17 of the line, 12–15 after the name; clock ticks of 10 ms.
    return { own: (fields[11]! + fields[12]!) / 100, children: (fields[13]! + fields[14]!) / 100 };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds a live process spent, with those of the children it waited for, and its peak
 * resident memory in bytes, from /proc (Linux; undefined elsewhere or once it is gone).
 */
export function processCpuSync(pid: number | 'self'): { cpuSeconds: number; peakRssBytes: number } | undefined {
  const times = processCpuTimes(pid);
  if (!times) return undefined;
  try {
    const peak = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds: times.own + times.children, peakRssBytes: Number(peak?.[1] ?? 0) * 1024 };
  } catch {
    return undefined;
  }
}
