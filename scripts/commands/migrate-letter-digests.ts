/**
 * `npm run migrate-letter-digests [-- --dry-run]`: moves a repository from the old letter digest
 * (taken after trimming the text, which `sha256sum` cannot reproduce) to the digest of the file as
 * committed. Renames every archived letter still named after its old digest and rewrites the
 * `letter_sha256` of every signature file that carries an old digest of an archived version.
 * Nothing is committed: review with `git status`. Old digests keep resolving on the site (each
 * has a page that sends the reader on), so running this is a choice, not a need; note that the
 * tally's digest covers `letter_sha256`, so it changes with the files.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { migrateSignatureFileText } from '../core/letter-archive.ts';
import { loadLetterArchive } from '../store/letter-archive.ts';
import { listSignatureFiles, signaturesDirectory } from '../store/load-signatures.ts';

export interface MigrationResult {
  code: number;
  out: string[];
  err: string[];
}

/** Runs the migration against `projectRoot` (signatures in SIGNATURES_DIR or signatures/). */
export async function migrateLetterDigests(
  argv: string[],
  { projectRoot, env }: { projectRoot: string; env: NodeJS.ProcessEnv },
): Promise<MigrationResult> {
  let dryRun: boolean;
  try {
    dryRun = Boolean(parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean' } } }).values['dry-run']);
  } catch (error) {
    return {
      code: 2,
      out: [],
      err: [`${(error as Error).message}\nUsage: npm run migrate-letter-digests [-- --dry-run]`],
    };
  }
  const archive = await loadLetterArchive(projectRoot);
  if (archive.problems.length > 0) return { code: 1, out: [], err: [...archive.problems, 'Nothing was changed.'] };
  const out: string[] = [];
  const verb = dryRun ? 'Would rename' : 'Renamed';
  for (const { from, to } of archive.renames) {
    if (!dryRun) await rename(path.join(projectRoot, from), path.join(projectRoot, to));
    out.push(`${verb} ${from} → ${path.posix.basename(to)}`);
  }
  const directory = signaturesDirectory(env, projectRoot);
  let files: string[] = [];
  try {
    files = listSignatureFiles(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let rewritten = 0;
  for (const file of files) {
    const absolute = path.join(directory, file);
    const next = migrateSignatureFileText(await readFile(absolute, 'utf8'), archive.aliases);
    if (next === undefined) continue;
    rewritten += 1;
    if (!dryRun) await writeFile(absolute, next);
  }
  out.push(
    `${dryRun ? 'Would rewrite' : 'Rewrote'} letter_sha256 in ${rewritten} of ${files.length} signature file(s) under ${directory}.`,
  );
  for (const [from, to] of archive.aliases) out.push(`  ${from} → ${to}`);
  if (!dryRun && (rewritten > 0 || archive.renames.length > 0))
    out.push('', 'Review the change with `git status` and commit it; the tally digest changes with the files.');
  return { code: 0, out, err: [] };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const result = await migrateLetterDigests(process.argv.slice(2), { projectRoot, env: process.env });
  if (result.err.length) console.error(result.err.join('\n'));
  if (result.out.length) console.log(result.out.join('\n'));
  process.exitCode = result.code;
}
