/**
 * Runs before every test file (vitest `setupFiles`): marks the processes this file starts, and
 * stops all of them when the file ends, passed or failed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { killMarked, OWNER_VARIABLE, stopTracked } from './processes.ts';

const marker = `${process.env.PETITION_TEST_RUN ?? 'run'}:${randomUUID()}`;
process.env[OWNER_VARIABLE] = marker;

afterAll(async () => {
  stopTracked();
  await killMarked(OWNER_VARIABLE, marker);
});
