/**
 * `npm run derive`: brings what derives from content/ up to date (scripts/store/derived.ts): the
 * issue forms of every language file, the letter archive, the issue chooser's link. `-- --check`
 * changes nothing and exits 1 when something is out of date. The "Derived files" workflow runs it
 * on every push, so a campaigner who edits in GitHub's web editor never has to.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentError } from '../core/i18n.ts';
import { derivedChanges, describeChanges } from '../store/derived.ts';

/** Applies the derived changes to the checkout at `root`; returns the line to print. */
export async function derive(root: string, { check = false, env = {} as NodeJS.ProcessEnv } = {}) {
  const changes = await derivedChanges(root, env);
  if (check) return { changes, line: changes.length ? `Out of date: ${describeChanges(changes)}` : 'Up to date.' };
  for (const change of changes) {
    const file = path.join(root, change.file);
    if (change.text === undefined) await rm(file, { force: true });
    else {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, change.text);
    }
  }
  return { changes, line: describeChanges(changes) };
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const check = process.argv.includes('--check');
  const { changes, line } = await derive(root, { check, env: process.env });
  if (check && changes.length > 0) {
    console.error(`${line} Run \`npm run derive\` and commit the result.`);
    process.exitCode = 1;
  } else console.log(line);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error instanceof ContentError ? error.message : (error.stack ?? error.message));
    process.exit(2);
  });
}
