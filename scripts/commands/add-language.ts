/**
 * `npm run add-language -- <code>`: adds a language to the petition in one step. Scaffolds, from
 * the default language,
 * - content/i18n/<code>.yml: every key of the default language's file, each value still in that
 *   language and marked `# TODO: translate`;
 * - content/<code>/: the home page, the letter and "How it works", each under /<code>/… and marked
 *   as a translation of its original, with a TODO in its front matter; the folder's data file and
 *   its updates folder;
 * then derives what follows from them (`npm run derive`: the language's issue forms, its letter in
 * the archive). Refuses a language that already has a file. The site builds at once, in the
 * default language's words, until the TODOs are translated.
 */
import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { ContentError } from '../core/i18n.ts';
import { resolveSettings } from '../core/settings.ts';
import { describeChanges } from '../store/derived.ts';
import { derive } from './derive.ts';

const LANGUAGE_CODE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;
/** The pages every language has, as files of the default language in content/. */
const PAGES = ['index.md', 'letter.md', 'how-it-works.md'];
export const TODO = 'TODO: translate';

/** The language's own name for itself ("es" → "Español"), from the platform's Intl data. */
export function nativeName(code: string): string {
  let name: string | undefined;
  try {
    name = new Intl.DisplayNames([code], { type: 'language', fallback: 'none' }).of(code);
  } catch {
    name = undefined;
  }
  if (!name) return code;
  return name.charAt(0).toLocaleUpperCase(code) + name.slice(1);
}

/**
 * The new language's file: the default language's file with `language`, `name` and `site.locale`
 * set for `code`, and every other text marked with a TODO comment. Pure.
 */
export function scaffoldCatalog(defaultText: string, code: string, defaultLanguage: string): string {
  const document = YAML.parseDocument(defaultText);
  document.commentBefore =
    ` The ${nativeName(code)} strings, scaffolded from ${defaultLanguage}.yml by \`npm run add-language -- ${code}\`.\n` +
    ` Translate every value marked "${TODO}" (keep the keys and the {placeholders}), then remove the mark.`;
  document.set('language', code);
  document.set('name', nativeName(code));
  const mark = (node: unknown, trail: string[]) => {
    if (YAML.isMap(node))
      for (const pair of node.items) {
        const key = YAML.isScalar(pair.key) ? String(pair.key.value) : '';
        mark(pair.value, [...trail, key]);
      }
    else if (YAML.isScalar(node) && typeof node.value === 'string') {
      const where = trail.join('.');
      if (where === 'language' || where === 'name') return;
      if (where === 'site.locale') {
        node.value = code;
        node.comment = ` ${TODO}: the locale for dates and numbers, such as ${code}-${code.toUpperCase()}`;
        return;
      }
      node.comment = ` ${TODO}`;
    }
  };
  mark(document.contents, []);
  return document.toString({ lineWidth: 0 });
}

/** The URL a page of the default language is published at: its permalink, or its path. */
function urlOf(file: string, frontMatter: string): string {
  const permalink = /^permalink:\s*["']?([^"'\n]+)["']?\s*$/m.exec(frontMatter)?.[1]?.trim();
  if (permalink) return permalink;
  return file === 'index.md' ? '/' : `/${file.replace(/\.md$/, '')}/`;
}

/**
 * A page of the new language: the default language's page with its permalink under /<code>/,
 * `translation_of` pointing at the original, and a TODO at the top of its front matter. Pure.
 */
export function scaffoldPage(text: string, file: string, code: string): string {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  const frontMatter = match?.[1] ?? '';
  const body = match ? text.slice(match[0].length) : text;
  const url = urlOf(file, frontMatter);
  const kept = frontMatter
    .split('\n')
    .filter((line) => !/^(permalink|translation_of):/.test(line))
    .join('\n');
  return [
    '---',
    `# ${TODO}: this page and its front matter (title, summary, recipients, demands…) into ${nativeName(code)}.`,
    `permalink: /${code}${url}`,
    `translation_of: ${url}`,
    kept,
    '---',
    localiseLinks(body, code),
  ].join('\n');
}

/**
 * Points the page's Markdown links to other pages of the site at the new language's pages
 * ("](/sheet/)" → "](/es/sheet/)"); files (the open data, images) and the archived letters exist
 * once for all languages and keep their address.
 */
export function localiseLinks(markdown: string, code: string): string {
  return markdown.replace(/\]\(\/([^)\s]*)\)/g, (link, target: string) => {
    const [pathPart = ''] = target.split(/[?#]/);
    const shared = /^(data|assets|letter\/versions)\//.test(pathPart) || /\.[a-z0-9]+$/i.test(pathPart);
    return shared ? link : `](/${code}/${target})`;
  });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Adds the language `code` to the project at `root`; returns what it wrote, one line per file. */
export async function addLanguage(root: string, code: string): Promise<string[]> {
  if (!LANGUAGE_CODE.test(code))
    throw new ContentError(`"${code.slice(0, 40)}" is not a language code: use one such as es, pt-BR or uk.`);
  const settings = resolveSettings(JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')));
  const defaultLanguage = settings.language;
  const catalogFile = path.join(root, 'content/i18n', `${code}.yml`);
  if (code === defaultLanguage || (await exists(catalogFile)))
    throw new ContentError(`content/i18n/${code}.yml already exists: ${code} is already a language of this petition.`);
  const folder = path.join(root, 'content', code);
  if (await exists(folder))
    throw new ContentError(`content/${code}/ already exists: move it away or remove it, then run this again.`);

  const written: string[] = [];
  const defaultCatalog = await readFile(path.join(root, 'content/i18n', `${defaultLanguage}.yml`), 'utf8');
  await writeFile(catalogFile, scaffoldCatalog(defaultCatalog, code, defaultLanguage));
  written.push(`content/i18n/${code}.yml`);
  await mkdir(path.join(folder, 'updates'), { recursive: true });
  for (const page of PAGES) {
    const source = path.join(root, 'content', page);
    if (!(await exists(source))) continue;
    await writeFile(path.join(folder, page), scaffoldPage(await readFile(source, 'utf8'), page, code));
    written.push(`content/${code}/${page}`);
  }
  await writeFile(path.join(folder, `${code}.11tydata.json`), `${JSON.stringify({ lang: code })}\n`);
  await writeFile(
    path.join(folder, 'updates/updates.json'),
    `${JSON.stringify(
      {
        layout: 'update.njk',
        tags: ['updates'],
        permalink: `/${code}/updates/{{ page.fileSlug }}/`,
        eleventyComputed: { translation_of: '/updates/{{ page.fileSlug }}/' },
      },
      null,
      2,
    )}\n`,
  );
  written.push(`content/${code}/${code}.11tydata.json`, `content/${code}/updates/updates.json`);
  const { changes } = await derive(root);
  return [...written, describeChanges(changes)];
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const code = process.argv.slice(2).find((argument) => !argument.startsWith('-'));
  if (!code) throw new ContentError('Name the language to add: npm run add-language -- es');
  const lines = await addLanguage(root, code);
  console.log(
    `Added ${nativeName(code)} (${code}):\n  ${lines.join('\n  ')}\n` +
      `Translate what is marked "${TODO}" (grep -rn "${TODO}" content/), then commit content/ and .github/.`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(error instanceof ContentError ? error.message : (error.stack ?? error.message));
    process.exit(2);
  });
}
