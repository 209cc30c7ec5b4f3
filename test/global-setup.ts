/**
 * Runs once around the whole test run (vitest `globalSetup`).
 *
 * - Every temporary folder of the run lives under one folder, made here and removed at the end:
 *   TMPDIR points at it, so tests, Eleventy, Chromium's profiles and Java all write there.
 * - Any process a test file started and did not stop (see test/helpers/processes.ts) is killed,
 *   after the workers' warm build processes (test/helpers/warm-build.ts) had a moment to end.
 * - The builds shared between test files (test/helpers/build-cache.ts) are checked: a test that
 *   changed one in place fails the run.
 * - PETITION_PICTURE_CACHE: the builds of the run share one folder of drawn share cards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildCacheRoot, checkBuildCache } from './helpers/build-cache.ts';
import { killMarked, OWNER_VARIABLE, processesMarked } from './helpers/processes.ts';
import { WARM_MARKER } from './helpers/warm-build.ts';

/** How long the end of the run waits for warm build processes to see their worker gone. */
const WARM_GRACE_MS = 5000;

async function warmProcessesGone(run: string): Promise<void> {
  const until = Date.now() + WARM_GRACE_MS;
  while ((await processesMarked(OWNER_VARIABLE, `${run}:${WARM_MARKER}:`)).length > 0 && Date.now() < until)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

export default async function setup(): Promise<() => Promise<void>> {
  const run = randomUUID();
  const root = await mkdtemp(path.join(os.tmpdir(), 'petition-test-run-'));
  process.env.PETITION_TEST_RUN = run;
  process.env.TMPDIR = root;
  // The share cards every build draws, drawn once a run (scripts/site/pictures/card-files.ts).
  process.env.PETITION_PICTURE_CACHE = path.join(root, 'share-cards');
  return async () => {
    // The workers' warm build processes (test/helpers/warm-build.ts) end when their worker does:
    // give them a moment to, then count them with the rest.
    await warmProcessesGone(run);
    // Each file already stops its own processes when it ends; one still running here escaped
    // that (a worker that crashed), and the run says so instead of passing quietly.
    const left = await killMarked(OWNER_VARIABLE, `${run}:`);
    const changed = await checkBuildCache(buildCacheRoot(root));
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    const problems = [
      ...(left > 0 ? [`${left} process(es) started by tests were still running at the end of the run; killed.`] : []),
      ...changed,
    ];
    if (problems.length > 0) {
      // Vitest reports an error thrown here but still exits 0: set the exit code as well.
      process.exitCode = 1;
      throw new Error(problems.join('\n'));
    }
  };
}
