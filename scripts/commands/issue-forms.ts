/**
 * `npm run issue-forms`: writes the issue forms (.github/ISSUE_TEMPLATE/sign*.yml and
 * withdraw*.yml) from the language files in content/i18n/, one pair per language, and removes the
 * forms of a language whose file is gone. `-- --check` changes nothing and exits 1 when a form
 * is out of date (the tests run it).
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentError } from '../core/i18n.ts';
import { templateLanguage } from '../core/issue-templates.ts';
import { resolveSettings } from '../core/settings.ts';
import { expectedForms, readCatalogs } from '../store/catalogs.ts';

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const check = process.argv.includes('--check');
  const settings = resolveSettings(JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')));
  const forms = expectedForms(await readCatalogs(root, settings.language));
  const folder = path.join(root, '.github/ISSUE_TEMPLATE');
  const written: string[] = [];
  const removed: string[] = [];
  for (const [file, content] of forms) {
    const current = await readFile(path.join(folder, file), 'utf8').catch(() => undefined);
    if (current === content) continue;
    written.push(file);
    if (!check) await writeFile(path.join(folder, file), content);
  }
  for (const file of await readdir(folder)) {
    if (!templateLanguage(file, settings.language) || forms.has(file)) continue;
    removed.push(`${file} (no language file)`);
    if (!check) await rm(path.join(folder, file));
  }
  const stale = [...written, ...removed];
  if (check && stale.length > 0) {
    console.error(`Out of date: ${stale.join(', ')}. Run \`npm run issue-forms\` and commit the result.`);
    process.exitCode = 1;
  } else if (stale.length === 0) console.log('The issue forms are up to date.');
  else {
    const parts = [];
    if (written.length) parts.push(`Wrote ${written.join(', ')}`);
    if (removed.length) parts.push(`${written.length ? 'removed' : 'Removed'} ${removed.join(', ')}`);
    console.log(`${parts.join('; ')}.`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error instanceof ContentError ? error.message : (error.stack ?? error.message));
    process.exit(2);
  });
}
