/**
 * content/samples.yml: what the local tools (`npm run demo`, `npm run try-locally`) put in their
 * made-up signatures' reasons, so that a campaign's demo speaks of its own cause. Optional: without
 * it the samples use neutral reasons (scripts/core/sample-signatures.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ContentError } from '../core/i18n.ts';

const FILE = 'content/samples.yml';
/** Bounds: a sample file is the campaigner's, but a typo should not make a demo of megabytes. */
const MAX_REASONS = 100;
const MAX_REASON_LENGTH = 1000;

/** The sample reasons of the petition at `root`, or undefined when it has no content/samples.yml. */
export async function readSampleReasons(root: string): Promise<string[] | undefined> {
  const text = await readFile(path.join(root, FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = YAML.parse(text, { schema: 'core' });
  } catch (error) {
    throw new ContentError(`${FILE}: ${String((error as Error).message).split('\n')[0]}`);
  }
  const reasons = (data as { reasons?: unknown } | null)?.reasons;
  if (
    !Array.isArray(reasons) ||
    reasons.length === 0 ||
    reasons.length > MAX_REASONS ||
    !reasons.every((reason) => typeof reason === 'string' && reason.trim() && reason.length <= MAX_REASON_LENGTH)
  )
    throw new ContentError(
      `${FILE}: "reasons" must be a list of 1 to ${MAX_REASONS} texts of at most ${MAX_REASON_LENGTH} characters.`,
    );
  return reasons as string[];
}
