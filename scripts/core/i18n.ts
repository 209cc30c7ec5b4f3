/**
 * The strings of each language, one file per language (content/i18n/<code>.yml): what signers
 * meet on GitHub (the issue forms, the robot's replies) and, as the site grows languages, what
 * readers meet. Pure: the entry points read the files and pass the text in.
 *
 * Messages are ICU MessageFormat, formatted by intl-messageformat with the platform's Intl data,
 * so plurals ("1 символ", "21 символ", "5 символов") follow each language's own rules.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import YAML from 'yaml';

/** One language's strings, as parsed from its file. Sections are nested string maps. */
export interface Catalog {
  /** BCP 47 code, also the file's name: "en", "ru", "zh". */
  language: string;
  /** The language's own name for itself, for a language switch. */
  name: string;
  [section: string]: unknown;
}

type Tree = { [key: string]: string | Tree };

/**
 * Reads a language file. A malformed file is a campaigner's mistake in a reviewed file, not a
 * stranger's input: it throws, naming the file and what is wrong.
 */
export function parseCatalog(text: string, file: string): Catalog {
  let data: unknown;
  try {
    data = YAML.parse(text, { schema: 'core', uniqueKeys: true });
  } catch (error) {
    // The YAML library's message spans lines (an excerpt with a caret); its first line says what and where.
    throw new ContentError(`${file}: ${String((error as Error).message).split('\n')[0]}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ContentError(`${file}: a language file is a mapping (language:, name:, then sections).`);
  const catalog = data as Record<string, unknown>;
  if (typeof catalog.language !== 'string' || !/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(catalog.language))
    throw new ContentError(`${file}: "language" must be a language code such as en, ru or zh.`);
  if (typeof catalog.name !== 'string' || catalog.name.trim() === '')
    throw new ContentError(`${file}: "name" must be the language's own name, such as Русский.`);
  const check = (value: unknown, where: string) => {
    if (typeof value === 'string') return;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ContentError(`${file}: ${where} must be text or a group of texts.`);
    for (const [key, child] of Object.entries(value)) check(child, `${where}.${key}`);
  };
  for (const [key, value] of Object.entries(catalog)) if (key !== 'language' && key !== 'name') check(value, key);
  return catalog as Catalog;
}

/** Every key path in `reference` that `other` lacks or holds as another kind: a translation's gaps. */
export function missingKeys(reference: unknown, other: unknown, prefix = ''): string[] {
  if (typeof reference === 'string') return typeof other === 'string' ? [] : [prefix];
  if (typeof reference !== 'object' || reference === null) return [];
  const missing: string[] = [];
  for (const [key, value] of Object.entries(reference as Tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const theirs = typeof other === 'object' && other !== null ? (other as Tree)[key] : undefined;
    if (theirs === undefined) missing.push(path);
    else missing.push(...missingKeys(value, theirs, path));
  }
  return missing;
}

/**
 * A mistake in the petition's own files (a language file without a key, a derived file out of
 * date): the entry points print its message alone, one line, with no stack trace, because the
 * message says everything the campaigner needs.
 */
export class ContentError extends Error {
  override name = 'ContentError';
}

/**
 * Every language file must have exactly the keys of the default language's file: a missing key
 * would fail deep inside a template, an extra one is a typo or a leftover. Throws a
 * {@link ContentError} naming each file and key, on one line.
 */
export function checkCatalogKeys(catalogs: readonly Catalog[], folder = 'content/i18n'): void {
  const [reference, ...others] = catalogs;
  if (!reference) return;
  const problems: string[] = [];
  const list = (keys: string[]) =>
    keys.length > 5 ? `${keys.slice(0, 5).join(', ')} and ${keys.length - 5} more` : keys.join(', ');
  for (const catalog of others) {
    const file = `${folder}/${catalog.language}.yml`;
    const missing = missingKeys(reference, catalog).filter((key) => key !== 'language' && key !== 'name');
    const extra = missingKeys(catalog, reference).filter((key) => key !== 'language' && key !== 'name');
    if (missing.length)
      problems.push(`${file} lacks ${list(missing)} (copy from ${folder}/${reference.language}.yml and translate)`);
    if (extra.length)
      problems.push(
        `${file} has ${list(extra)}, which ${folder}/${reference.language}.yml does not (remove, or check the spelling)`,
      );
  }
  if (problems.length) throw new ContentError(`${problems.join('; ')}.`);
}

/** The raw string at `path` (each element one key; keys may contain dots). Throws if absent. */
export function text(catalog: Catalog, path: readonly string[]): string {
  let node: unknown = catalog;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Tree)[key] : undefined;
  if (typeof node !== 'string')
    throw new ContentError(`content/i18n/${catalog.language}.yml has no text at ${path.join(' → ')}.`);
  return node;
}

const compiled = new Map<string, IntlMessageFormat>();
/**
 * Messages already formatted, by language, source and values. A build at 100,000 signatures asks
 * 19,000 times for 4,500 different texts (a pager's labels on every list and receipt page), and
 * formatting one costs microseconds. Emptied when full, so its size stays bounded at any count.
 */
const formatted = new Map<string, string>();
const MAX_FORMATTED = 10_000;

/** Formats the message at `path` with `values` (ICU MessageFormat, in the catalog's language). */
export function format(
  catalog: Catalog,
  path: readonly string[],
  values: Record<string, string | number> = {},
): string {
  const source = text(catalog, path);
  const key = `${catalog.language}\u0000${source}`;
  const plain = plainValues(values);
  const resultKey = `${key}\u0000${JSON.stringify(plain)}`;
  const known = formatted.get(resultKey);
  if (known !== undefined) return known;
  let formatter = compiled.get(key);
  if (!formatter) {
    formatter = new IntlMessageFormat(source, catalog.language, undefined, { ignoreTag: true });
    compiled.set(key, formatter);
  }
  const result = String(formatter.format(plain));
  if (formatted.size >= MAX_FORMATTED) formatted.clear();
  formatted.set(resultKey, result);
  return result;
}

/**
 * Values as IntlMessageFormat takes them: numbers, and everything else as its text. A template
 * may hand over an object that only looks like a string (Nunjucks' SafeString); given one,
 * IntlMessageFormat returns a list of parts, which printed as ",Организаторы петиции «…»,".
 */
function plainValues(values: Record<string, string | number>): Record<string, string | number> {
  const plain: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(values)) plain[name] = typeof value === 'number' ? value : String(value);
  return plain;
}

/**
 * Formats a message the petition's own content supplies (an ICU message in front matter, such as a
 * letter's `opening`) in `locale`. A malformed message is a {@link ContentError} naming `where`.
 */
export function formatContentMessage(
  source: string,
  locale: string,
  values: Record<string, string | number>,
  where: string,
): string {
  try {
    return String(new IntlMessageFormat(source, locale, undefined, { ignoreTag: true }).format(plainValues(values)));
  } catch (error) {
    throw new ContentError(
      `${where} is not a message that can be filled in: ${(error as Error).message.split('\n')[0]}`,
    );
  }
}

/** The catalogs by language, the default first. Throws when the default has no file. */
export function orderCatalogs(catalogs: readonly Catalog[], defaultLanguage: string): Catalog[] {
  const first = catalogs.find((catalog) => catalog.language === defaultLanguage);
  if (!first)
    throw new ContentError(
      `content/i18n/${defaultLanguage}.yml is missing: settings name "${defaultLanguage}" as the petition's language.`,
    );
  return [
    first,
    ...catalogs.filter((catalog) => catalog !== first).sort((a, b) => a.language.localeCompare(b.language)),
  ];
}
