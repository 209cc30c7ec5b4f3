/**
 * `npm start`: builds the site and serves it with live reload under its path prefix, as
 * Eleventy's `--serve` does, but stops the server when npm is stopped (scripts/tooling/run-child.ts).
 * Extra arguments go to Eleventy (`npm start -- --port=8081`).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eleventyArguments } from './eleventy-command.ts';
import { superviseChild } from './run-child.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eleventy = spawn(process.execPath, [...eleventyArguments({ serve: true }), ...process.argv.slice(2)], {
  cwd: projectRoot,
  stdio: 'inherit',
});
superviseChild(eleventy);
