/**
 * The site's languages: one per strings file in content/i18n/ (the same files the issue forms and
 * the robot's replies come from), the default language (settings.language) at the root of the
 * site, every other one under /<code>/. Adding a language is a strings file plus a folder of
 * Markdown (content/<code>/); nothing here names a language.
 *
 * The filters read the page's language from its data (`lang`, set by content/<code>/<code>.11tydata.json
 * for translated Markdown and by pagination over `languages` for the shared templates), so one
 * template serves every language.
 */
import MarkdownIt from 'markdown-it';
import markdownItCjkFriendly from 'markdown-it-cjk-friendly';
import { countryName } from '../core/countries.ts';
import { format, text, type Catalog } from '../core/i18n.ts';

/** One language of the site, as the templates see it. */
export interface SiteLanguage {
  /** BCP 47 code, the strings file's name: "en", "ru", "zh". */
  code: string;
  /** The language's own name for itself, for the language switch: "Русский". */
  name: string;
  /** Where its pages live: "/" for the default language, "/ru/" for the others. */
  root: string;
  isDefault: boolean;
  /** The locale for Intl (dates, numbers): content/i18n/<code>.yml's site.locale, e.g. "en-GB". */
  locale: string;
}

/** The site's languages in catalog order (default first). */
export function siteLanguages(catalogs: readonly Catalog[]): SiteLanguage[] {
  return catalogs.map((catalog, index) => ({
    code: catalog.language,
    name: catalog.name,
    root: index === 0 ? '/' : `/${catalog.language}/`,
    isDefault: index === 0,
    locale: localeOf(catalog),
  }));
}

function localeOf(catalog: Catalog): string {
  try {
    return text(catalog, ['site', 'locale']);
  } catch {
    return catalog.language;
  }
}

/** The page's URL inside its language: "/ru/letter/" → "/letter/". */
export function pathInLanguage(url: string, language: SiteLanguage): string {
  return language.isDefault || !url.startsWith(language.root) ? url : url.slice(language.root.length - 1);
}

/** A root-relative URL of the default language in another language: "/letter/" → "/ru/letter/". */
export function localisedPath(url: string, language: SiteLanguage): string {
  return language.isDefault ? url : `${language.root}${url.replace(/^\//, '')}`;
}

/** Memoises per language and key: numbers, dates and country names repeat on every page. */
function cached<T>(make: (locale: string) => T): (locale: string) => T {
  const cache = new Map<string, T>();
  return (locale) => {
    let value = cache.get(locale);
    if (value === undefined) cache.set(locale, (value = make(locale)));
    return value;
  };
}

const numberFormat = cached((locale) => new Intl.NumberFormat(locale));
const dateFormat = cached(
  (locale) => new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }),
);
const regionNames = cached((locale) => new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' }));

/** 12345 → "12,345" (en), "12 345" (ru), "12,345" (zh): the platform's Intl data. */
export function formatNumberIn(locale: string, value: number): string {
  return numberFormat(locale).format(value);
}

/** A Date or ISO date → "24 November 2026", "24 ноября 2026 г.", "2026年11月24日" (UTC, so every reader sees the same day). */
export function formatDateIn(locale: string, value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return dateFormat(locale).format(date);
}

/** A country's name in the reader's language ("RU" → "Россия"), the English one for the default English. */
export function countryNameIn(locale: string, code: string): string {
  return locale.startsWith('en') ? countryName(code) : (regionNames(locale).of(code) ?? countryName(code));
}

/**
 * Joins the parts of a sentence as the language joins a list of things: "A, B and C",
 * "A, B и C", "A、B和C". A conjunction, not a unit list: units are joined with bare spaces in
 * Russian and with nothing at all in Chinese, which ran "260 на бумаге 40 по электронной почте"
 * together.
 */
export function joinListIn(locale: string, parts: readonly string[]): string {
  return listFormat(locale).format(parts);
}
const listFormat = cached((locale) => new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }));

/** Our own inline Markdown in strings files (bold, links, a <kbd>), never signer text. */
// markdown-it-cjk-friendly: bold next to Chinese punctuation ("**注意：**") is bold, not asterisks.
const inline = new MarkdownIt({ html: true, typographer: false }).use(markdownItCjkFriendly);
const escapeHtml = inline.utils.escapeHtml;

// Eleventy passes Nunjucks' filter context as `this`: `ctx` holds the page's data.
// `language` is the alias of templates paginated over `languages` (one page per language);
// `lang` is set by content/<code>/<code>.11tydata.json and, for the default language, globally.
interface FilterContext {
  ctx?: { lang?: unknown; language?: { code?: unknown } };
  page?: { lang?: unknown };
}

/** What every group of filters needs: the page's language and its messages. */
interface FilterTools {
  languages: SiteLanguage[];
  byCode: Map<string, SiteLanguage>;
  catalogByCode: Map<string, Catalog>;
  fallback: SiteLanguage;
  languageOf: (context: FilterContext | undefined) => SiteLanguage;
  message: (context: FilterContext | undefined, key: string, values?: Record<string, string | number>) => string;
}

// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EleventyConfig = any;

/**
 * The count per channel in a language's words, joined as it joins a list: "12,304 signed online
 * through GitHub, 1,210 on paper and 95 by email" (site.channels.* of its catalogue). Channels
 * with no signature are left out.
 */
export function channelBreakdownIn(
  catalog: Catalog,
  locale: string,
  counts: { github: number; paper: number; email: number },
): string {
  const parts = (['github', 'paper', 'email'] as const)
    .filter((channel) => counts[channel] > 0)
    .map((channel) => format(catalog, ['site', 'channels', channel], { n: counts[channel] }));
  return joinListIn(locale, parts);
}

/**
 * Registers the language-aware filters:
 * - `t(key, values)`: the message site.<key> of the page's language (ICU MessageFormat), plain text;
 * - `tm(key, values)`: the same, with its inline Markdown (bold, links) rendered; print with `| safe`,
 *   and give it only our own values (numbers, our URLs), never signer text;
 * - `lurl`: "/letter/" → the page's language's "/ru/letter/";
 * - `formatNumber`, `formatDate`, `countryName`: in the page's language.
 */
export function addLanguageFilters(
  eleventyConfig: EleventyConfig,
  catalogs: readonly Catalog[],
  languages: SiteLanguage[],
  petitions: Record<string, { title: string; description: string; imageAlt: string; imageCredit: string }>,
) {
  const byCode = new Map(languages.map((language) => [language.code, language]));
  const catalogByCode = new Map(catalogs.map((catalog) => [catalog.language, catalog]));
  const fallback = languages[0]!;
  const languageOf = (context: FilterContext | undefined): SiteLanguage => {
    const code = context?.ctx?.language?.code ?? context?.ctx?.lang ?? context?.page?.lang;
    return (typeof code === 'string' && byCode.get(code)) || fallback;
  };
  const message = (context: FilterContext | undefined, key: string, values?: Record<string, string | number>) =>
    format(catalogByCode.get(languageOf(context).code)!, ['site', ...key.split('.')], values ?? {});
  const tools: FilterTools = { languages, byCode, catalogByCode, fallback, languageOf, message };

  addMessageFilters(eleventyConfig, tools);
  addFormatFilters(eleventyConfig, tools);
  addFormFilters(eleventyConfig, tools);
  addPetitionFilter(eleventyConfig, tools, petitions);
  addLanguageSwitchFilters(eleventyConfig, tools);
}

/** `t`, `tm`, `channelBreakdown`, `tIn`: messages of the strings files. */
function addMessageFilters(
  eleventyConfig: EleventyConfig,
  { catalogByCode, fallback, languageOf, message }: FilterTools,
) {
  eleventyConfig.addFilter('t', function (this: FilterContext, key: string, values?: Record<string, string | number>) {
    return message(this, key, values);
  });
  eleventyConfig.addFilter(
    'tm',
    function (this: FilterContext, key: string, values: Record<string, string | number> = {}) {
      // Values are escaped, except those whose name ends in "Html": markup a template made (a <time>).
      const safe = Object.fromEntries(
        Object.entries(values).map(([name, value]) => [
          name,
          typeof value === 'string' && !name.endsWith('Html') ? escapeHtml(value) : value,
        ]),
      );
      return inline.renderInline(message(this, key, safe));
    },
  );
  // "12,304 signed online through GitHub, 1,210 on paper and 95 by email", joined as the language joins lists.
  eleventyConfig.addFilter(
    'channelBreakdown',
    function (this: FilterContext, counts: { github: number; paper: number; email: number }) {
      const language = languageOf(this);
      return channelBreakdownIn(catalogByCode.get(language.code)!, language.locale, counts);
    },
  );
  /** `"not_found.title" | tIn("ru")`: a message in a given language, for a page that speaks to every reader (the root 404). */
  eleventyConfig.addFilter('tIn', function (key: string, code: string, values?: Record<string, string | number>) {
    const catalog = catalogByCode.get(code) ?? catalogByCode.get(fallback.code)!;
    return format(catalog, ['site', ...key.split('.')], values ?? {});
  });
}

/** `lurlIn`, `lurl`, `formatNumber`, `formatDate`, `countryName`, `countryNameIn`: URLs and values in the page's language. */
function addFormatFilters(eleventyConfig: EleventyConfig, { byCode, fallback, languageOf }: FilterTools) {
  /** `"/letter/" | lurlIn("ru")` → "/ru/letter/". */
  eleventyConfig.addFilter('lurlIn', function (url: string, code: string) {
    return localisedPath(url, byCode.get(code) ?? fallback);
  });
  eleventyConfig.addFilter('lurl', function (this: FilterContext, url: string) {
    return localisedPath(url, languageOf(this));
  });
  eleventyConfig.addFilter('formatNumber', function (this: FilterContext, value: number) {
    return formatNumberIn(languageOf(this).locale, value);
  });
  eleventyConfig.addFilter('formatDate', function (this: FilterContext, value: Date | string) {
    return formatDateIn(languageOf(this).locale, value);
  });
  eleventyConfig.addFilter('countryName', function (this: FilterContext, code: string) {
    return countryNameIn(languageOf(this).locale, code);
  });
  /** `"DE" | countryNameIn("de")` → "Deutschland": a country's name in a given language. */
  eleventyConfig.addFilter('countryNameIn', (code: string, locale: string) => countryNameIn(locale, code));
}

/** `formText`, `messagesJson`, `countriesIn`, `signatureListWords`: what the sign form and the list's script need. */
function addFormFilters(eleventyConfig: EleventyConfig, { catalogByCode, languageOf }: FilterTools) {
  /** A string of the page's language's GitHub sign form (form.sign.<key>): the site form's labels are the issue form's. */
  eleventyConfig.addFilter('formText', function (this: FilterContext, key: string) {
    return text(catalogByCode.get(languageOf(this).code)!, ['form', 'sign', key]);
  });
  /**
   * A group of strings (site.<key>) as JSON, for a data attribute (autoescaped there): the sign
   * form's script reads its messages from it.
   */
  eleventyConfig.addFilter('messagesJson', function (this: FilterContext, key: string) {
    let node: unknown = catalogByCode.get(languageOf(this).code)!.site;
    for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
    return JSON.stringify(node ?? {});
  });
  /** Country suggestions in the page's language, sorted as that language sorts. */
  eleventyConfig.addFilter(
    'countriesIn',
    function (this: FilterContext, countries: readonly { code: string; name: string }[]) {
      const { locale } = languageOf(this);
      const collator = new Intl.Collator(locale);
      return countries
        .map(({ code }) => ({ code, name: countryNameIn(locale, code) }))
        .sort((a, b) => collator.compare(a.name, b.name));
    },
  );
  /**
   * What content/assets/js/signature-list.js needs to write the list's entries and the volumes'
   * rows in the page's language, as JSON: the locale for dates; each signing country's name by its
   * code; the receipt link's text, the channel labels and words; where a receipt's issue is. The entries come out as the
   * default language's were written on the server (scripts/site/signer-html.ts).
   */
  eleventyConfig.addFilter(
    'signatureListWords',
    function (this: FilterContext, byCountry: readonly { code: string }[], issuesUrl: string) {
      const language = languageOf(this);
      const own = catalogByCode.get(language.code)!;
      return JSON.stringify({
        locale: language.locale,
        countries: Object.fromEntries(byCountry.map(({ code }) => [code, countryNameIn(language.locale, code)])),
        receipt: text(own, ['site', 'signatures', 'receipt']),
        paper: text(own, ['site', 'channels', 'label_paper']),
        email: text(own, ['site', 'channels', 'label_email']),
        // The printable volumes' "Signed through" column.
        channels: Object.fromEntries(
          (['github', 'paper', 'email'] as const).map((channel) => [
            channel,
            text(own, ['site', 'channels', `word_${channel}`]),
          ]),
        ),
        issues: `${issuesUrl}/`,
      });
    },
  );
}

/** `petition`: the petition's own words in the page's language. */
function addPetitionFilter(
  eleventyConfig: EleventyConfig,
  { languageOf }: FilterTools,
  petitions: Record<string, { title: string; description: string; imageAlt: string; imageCredit: string }>,
) {
  /** The petition's title, description, lead image's alt text or credit in the page's language. */
  eleventyConfig.addFilter(
    'petition',
    function (this: FilterContext, field: 'title' | 'description' | 'imageAlt' | 'imageCredit') {
      return petitions[languageOf(this).code]?.[field] ?? '';
    },
  );
}

/** `languageName`, `inLanguage`, `pageLanguage`, `inEveryLanguage`: for the language switch, the menu and hreflang. */
function addLanguageSwitchFilters(eleventyConfig: EleventyConfig, { languages, languageOf }: FilterTools) {
  /** A language's name in the page's language, from Intl: "en" → "английский" on a Russian page. */
  eleventyConfig.addFilter('languageName', function (this: FilterContext, code: string) {
    const { locale } = languageOf(this);
    return new Intl.DisplayNames([locale], { type: 'language', fallback: 'code' }).of(code) ?? code;
  });
  /** "/ru/letter/" → "/letter/" on a Russian page: for the menu's "you are here". */
  eleventyConfig.addFilter('inLanguage', function (this: FilterContext, url: string) {
    return typeof url === 'string' ? pathInLanguage(url, languageOf(this)) : url;
  });
  /** The page's language object ({{ "" | pageLanguage }}), for the switch and hreflang. */
  eleventyConfig.addFilter('pageLanguage', function (this: FilterContext) {
    return languageOf(this);
  });
  /** For the language switch: this page's URL in every language. */
  eleventyConfig.addFilter('inEveryLanguage', function (this: FilterContext, url: string) {
    const own = languageOf(this);
    const path = pathInLanguage(url, own);
    return languages.map((language) => ({
      ...language,
      url: localisedPath(path, language),
      current: language === own,
    }));
  });
}
