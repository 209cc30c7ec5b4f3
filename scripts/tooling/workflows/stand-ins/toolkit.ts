/**
 * The little of @actions/core a stand-in needs: inputs from INPUT_* (as the runner sets them),
 * outputs and state through the runner's files. Values are written as heredoc blocks so a value
 * with a newline cannot add another output.
 */
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** An input as a JavaScript action reads it: INPUT_<NAME>, trimmed. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** A boolean input (YAML 1.2 core schema words, as @actions/core accepts). */
export function getBooleanInput(name: string): boolean {
  const value = getInput(name);
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE', ''].includes(value)) return false;
  throw new TypeError(`Input ${name} is not a boolean: ${value}`);
}

/** A multi-line input, one non-empty entry a line. */
export function getMultilineInput(name: string): string[] {
  return getInput(name)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

function appendBlock(file: string | undefined, name: string, value: string): void {
  if (!file) throw new Error('not running under a workflow runner (no GITHUB_OUTPUT/GITHUB_STATE)');
  const delimiter = `ghadelimiter_${randomBytes(8).toString('hex')}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

/** Sets a step output. */
export function setOutput(name: string, value: string): void {
  appendBlock(process.env.GITHUB_OUTPUT, name, value);
}

/** Saves state for the action's post step (read back as STATE_<name>). */
export function saveState(name: string, value: string): void {
  appendBlock(process.env.GITHUB_STATE, name, value);
}

/** Logs a line. */
export function info(message: string): void {
  process.stdout.write(`${message}\n`);
}

/** Runs a stand-in's body; an error fails the step with its message. */
export function run(body: () => Promise<void>): void {
  body().catch((error: unknown) => {
    process.stdout.write(`::error::${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
