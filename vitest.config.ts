import { defineConfig } from 'vitest/config';

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
  },
});
