import os from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './test/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary folder for the whole run, removed at its end, and no process left behind.
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/helpers/per-file-setup.ts'],
    // Build and browser tests start Eleventy and Chromium; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker process runs file after file without starting afresh (setupFiles still run before
    // each file, test/helpers/per-file-setup.ts): a fresh worker cost about 1 s of CPU a file in
    // vitest and imports, and the run is CPU-bound on 2 cores. Tests share no mutable module
    // state (no vi.mock; environment changes are restored) across files.
    isolate: false,
    // @actions/workflow-parser imports its JSON schema without an import attribute, which Node 20
    // refuses; let Vite transform it (tsx does the same for `npm run workflows:local`).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    // Vitest's default (cores - 1) runs one file at a time on 2 cores, yet most of our files
    // spend their time waiting for Eleventy, Chromium or Java in other processes. The three
    // workflow scenario files start first (test/sequencer.ts) and take minutes each while using a
    // fraction of a core: with three workers everything else ran on the third, one file at a
    // time, for most of the run. Five keep two workers on the cores beside them.
    maxWorkers: Math.max(5, os.availableParallelism()),
    sequence: { sequencer: LongestFirstSequencer },
  },
});
