/**
 * The petition's language files (content/i18n/*.yml) as read from a checkout, and the issue forms
 * they imply. Read by the processor, the offline commands, the site and `npm run issue-forms`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { checkCatalogKeys, ContentError, orderCatalogs, parseCatalog, type Catalog } from '../core/i18n.ts';
import { renderTemplate, templateFileName, type FormKind } from '../core/issue-templates.ts';

/**
 * Reads every content/i18n/*.yml of a checkout, default language first. Throws a
 * {@link ContentError} (one line, naming file and key) when a file lacks a key of the default
 * language's file or has one it does not.
 */
export async function readCatalogs(root: string, defaultLanguage: string): Promise<Catalog[]> {
  const folder = path.join(root, 'content/i18n');
  const files = (await readdir(folder)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const catalogs: Catalog[] = [];
  for (const file of files) {
    const catalog = parseCatalog(await readFile(path.join(folder, file), 'utf8'), `content/i18n/${file}`);
    if (path.parse(file).name !== catalog.language)
      throw new ContentError(
        `content/i18n/${file} says "language: ${catalog.language}"; name the file ${catalog.language}.yml.`,
      );
    catalogs.push(catalog);
  }
  const ordered = orderCatalogs(catalogs, defaultLanguage);
  checkCatalogKeys(ordered);
  return ordered;
}

/** The forms a checkout should have: file name → text. */
export function expectedForms(catalogs: readonly Catalog[]): Map<string, string> {
  const forms = new Map<string, string>();
  const defaultLanguage = catalogs[0]!.language;
  for (const catalog of catalogs)
    for (const kind of ['sign', 'withdraw'] as FormKind[])
      forms.set(templateFileName(kind, catalog.language, defaultLanguage), renderTemplate(kind, catalog));
  return forms;
}
