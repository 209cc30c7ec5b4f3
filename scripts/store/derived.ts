/**
 * What in a checkout derives from its content, and whether it is up to date: the issue forms
 * (one sign and one withdraw form per language file), the letter archive (each language's
 * current letter copied to content/letter-versions/<code>/<sha256>.md, the format
 * scripts/site/letter-versions.ts reads) and the issue chooser's link to the site.
 *
 * A campaigner who edits content in GitHub's web editor cannot run a command: the "Derived
 * files" workflow (.github/workflows/derive.yml) runs `npm run derive` on every push and commits
 * the result. Locally the build refuses stale derived files with one line saying so.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ContentError } from '../core/i18n.ts';
import { ISSUE_CHOOSER_CONFIG_PATH, issueChooserConfigFor } from '../core/issue-chooser.ts';
import { templateLanguage } from '../core/issue-templates.ts';
import { resolveSettings, siteBaseUrl, type SettingsEnvironment } from '../core/settings.ts';
import { letterDigest } from '../core/tally.ts';
import { expectedForms, readCatalogs } from './catalogs.ts';

/** One derived file to write (`text`) or remove (`text` undefined), with why, for the log. */
export interface DerivedChange {
  /** Relative to the checkout, with forward slashes. */
  file: string;
  text?: string;
  why: string;
}

const FORMS_FOLDER = '.github/ISSUE_TEMPLATE';

/** The letter file of a language: content/letter.md for the default one, content/<code>/letter.md for the others. */
export function letterFileOf(language: string, defaultLanguage: string): string {
  return language === defaultLanguage ? 'content/letter.md' : `content/${language}/letter.md`;
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/**
 * The changes that would bring a checkout's derived files up to date with its content; none when
 * they are. Reads content/settings.json itself (not a build's override), and `env` as the
 * workflows pass it (PETITION_REPOSITORY, SITE_URL, PATH_PREFIX) for the chooser's link.
 * Never removes an archived letter: a signature may name it.
 */
export async function derivedChanges(root: string, env: SettingsEnvironment = {}): Promise<DerivedChange[]> {
  const settingsText = await readText(path.join(root, 'content/settings.json'));
  if (settingsText === undefined) throw new ContentError('content/settings.json is missing.');
  let raw: unknown;
  try {
    raw = JSON.parse(settingsText);
  } catch (error) {
    throw new ContentError(`content/settings.json is not valid JSON: ${(error as Error).message}`);
  }
  const settings = resolveSettings(raw, env);
  const catalogs = await readCatalogs(root, settings.language);
  const changes: DerivedChange[] = [];

  // The issue forms.
  const forms = expectedForms(catalogs);
  for (const [file, text] of forms) {
    const current = await readText(path.join(root, FORMS_FOLDER, file));
    if (current !== text)
      changes.push({
        file: `${FORMS_FOLDER}/${file}`,
        text,
        why: current === undefined ? 'new language file' : 'language file changed',
      });
  }
  for (const file of (await readdir(path.join(root, FORMS_FOLDER)).catch(() => [] as string[])).sort())
    if (templateLanguage(file, settings.language) && !forms.has(file))
      changes.push({ file: `${FORMS_FOLDER}/${file}`, why: 'no language file' });

  // The letter archive: every letter a signer can read now must be there, named by its digest.
  for (const catalog of catalogs) {
    const letterFile = letterFileOf(catalog.language, settings.language);
    const letter = await readText(path.join(root, letterFile));
    if (letter === undefined) continue;
    const archived = `content/letter-versions/${catalog.language}/${letterDigest(letter)}.md`;
    if ((await readText(path.join(root, archived))) === undefined)
      changes.push({ file: archived, text: letter, why: `archive of ${letterFile}` });
  }

  // The chooser's "Read the petition" link.
  const chooser = await readText(path.join(root, ISSUE_CHOOSER_CONFIG_PATH));
  if (chooser !== undefined) {
    const updated = issueChooserConfigFor(chooser, siteBaseUrl(settings));
    if (updated !== undefined) changes.push({ file: ISSUE_CHOOSER_CONFIG_PATH, text: updated, why: 'site address' });
  }
  return changes;
}

/** One line for a log: "Wrote a (why), b (why); removed c (why)." */
export function describeChanges(changes: readonly DerivedChange[]): string {
  const wrote = changes.filter((change) => change.text !== undefined).map((c) => `${c.file} (${c.why})`);
  const removed = changes.filter((change) => change.text === undefined).map((c) => `${c.file} (${c.why})`);
  const parts = [];
  if (wrote.length) parts.push(`wrote ${wrote.join(', ')}`);
  if (removed.length) parts.push(`removed ${removed.join(', ')}`);
  return parts.length ? `${parts.join('; ').replace(/^./, (first) => first.toUpperCase())}.` : 'Nothing to derive.';
}

/**
 * Throws a one-line {@link ContentError} when derived files are out of date, naming them and the
 * command that brings them up to date.
 */
export async function assertDerivedUpToDate(root: string): Promise<void> {
  const changes = await derivedChanges(root);
  if (changes.length === 0) return;
  const files = changes.map((change) => `${change.file} (${change.text === undefined ? 'to remove' : change.why})`);
  throw new ContentError(
    `Derived files are out of date: ${files.join(', ')}. Run \`npm run derive\` and commit the result (on GitHub, the "Derived files" workflow does it on push).`,
  );
}
