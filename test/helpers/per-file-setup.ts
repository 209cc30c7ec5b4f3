/**
 * Runs before every test file (vitest `setupFiles`): marks the processes this file starts, and
 * stops all of them when the file ends, passed or failed.
 *
 * PETITION_TEST_PROFILE=<file> appends one line a test file to <file>: its wall time and the CPU
 * time its worker process spent from the file's start to its end (a worker runs several files one
 * after another: vitest.config.ts) and that of the processes the worker waited for in that time
 * (builds, browsers, Java), from /proc (Linux), the CPU time of its builds in the worker's warm
 * build process (test/helpers/warm-build.ts), and its marker (the PETITION_TEST_OWNER value its
 * processes carry), so that a process logged elsewhere (a wrapper around java or chromium that
 * records its CPU time and $PETITION_TEST_OWNER) can be put down to its file. That is how the
 * per-file figures of docs/performance.md were taken.
 */
import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { afterAll, expect } from 'vitest';
import { killMarked, OWNER_VARIABLE, processCpuTimes, stopTracked } from './processes.ts';
import { endOfTestFile, warmBuildCpuSeconds } from './warm-build.ts';

const marker = `${process.env.PETITION_TEST_RUN ?? 'run'}:${randomUUID()}`;
process.env[OWNER_VARIABLE] = marker;

const profile = process.env.PETITION_TEST_PROFILE;
const started = Date.now();
// A worker runs several files (vitest.config.ts, isolate: false): each file's figures are what it added.
const atStart = profile ? processCpuTimes('self') : undefined;
const warmAtStart = warmBuildCpuSeconds();

afterAll(async () => {
  stopTracked();
  // The worker's warm build process outlives the file, unless a build of this file still runs in it.
  endOfTestFile();
  await killMarked(OWNER_VARIABLE, marker);
  const cpu = profile ? processCpuTimes('self') : undefined;
  if (profile && cpu) {
    const line = {
      file: expect.getState().testPath,
      marker,
      wallSeconds: (Date.now() - started) / 1000,
      workerCpuSeconds: Math.round((cpu.own - (atStart?.own ?? 0)) * 100) / 100,
      childCpuSeconds: Math.round((cpu.children - (atStart?.children ?? 0)) * 100) / 100,
      // The file's builds in the worker's warm build process (test/helpers/warm-build.ts), which
      // outlives the file and so is not among the children above.
      warmBuildCpuSeconds: Math.round((warmBuildCpuSeconds() - warmAtStart) * 100) / 100,
    };
    await appendFile(profile, `${JSON.stringify(line)}\n`);
  }
});
