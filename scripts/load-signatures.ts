/**
 * Reads every signature file under a folder (the site's build, `npm run tally`, the benchmark).
 * Bad files are reported and skipped: one stranger's broken file must never stop everyone
 * else's signatures from being counted.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseSignatureFile, type SignatureRecord } from './core/signature-file.ts';

export interface SkippedSignatureFile {
  /** Path relative to the signatures folder. */
  file: string;
  problem: string;
}

export interface LoadedSignatures {
  records: SignatureRecord[];
  skipped: SkippedSignatureFile[];
}

/** The signatures folder the build reads: $SIGNATURES_DIR, or signatures/ in the project. */
export function signaturesDirectory(env: NodeJS.ProcessEnv, projectRoot: string): string {
  return path.resolve(projectRoot, env.SIGNATURES_DIR?.trim() || 'signatures');
}

/**
 * Loads and checks every `*.md` file below `directory` (README.md at the top is documentation).
 * A missing folder means no signatures yet.
 */
export async function loadSignatures(directory: string): Promise<LoadedSignatures> {
  let entries: string[];
  try {
    entries = (await readdir(directory, { recursive: true })) as string[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: [] };
    throw error;
  }
  const files = entries
    .map((entry) => entry.split(path.sep).join('/'))
    .filter((entry) => entry.endsWith('.md') && entry !== 'README.md')
    .sort();

  const records: SignatureRecord[] = [];
  const skipped: SkippedSignatureFile[] = [];
  // Synchronous reads: for 100,000 small files they cost a third of fs/promises' open, fstat,
  // read and close round trips, and nothing else runs during a build's data loading anyway.
  for (const file of files) {
    const parsed = parseSignatureFile(readFileSync(path.join(directory, file), 'utf8'), file);
    if (parsed.ok) records.push(parsed.record);
    else skipped.push({ file, problem: parsed.problem });
  }
  return { records, skipped };
}
