/**
 * Country and territory names → ISO 3166-1 alpha-2, in many languages, via i18n-iso-countries.
 * Pure: the locale tables are bundled with the library and loaded once at import.
 */
import countries from 'i18n-iso-countries';
import ar from 'i18n-iso-countries/langs/ar.json' with { type: 'json' };
import de from 'i18n-iso-countries/langs/de.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import es from 'i18n-iso-countries/langs/es.json' with { type: 'json' };
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' };
import hi from 'i18n-iso-countries/langs/hi.json' with { type: 'json' };
import it from 'i18n-iso-countries/langs/it.json' with { type: 'json' };
import ja from 'i18n-iso-countries/langs/ja.json' with { type: 'json' };
import kk from 'i18n-iso-countries/langs/kk.json' with { type: 'json' };
import ko from 'i18n-iso-countries/langs/ko.json' with { type: 'json' };
import mn from 'i18n-iso-countries/langs/mn.json' with { type: 'json' };
import nl from 'i18n-iso-countries/langs/nl.json' with { type: 'json' };
import pl from 'i18n-iso-countries/langs/pl.json' with { type: 'json' };
import pt from 'i18n-iso-countries/langs/pt.json' with { type: 'json' };
import ru from 'i18n-iso-countries/langs/ru.json' with { type: 'json' };
import tr from 'i18n-iso-countries/langs/tr.json' with { type: 'json' };
import uk from 'i18n-iso-countries/langs/uk.json' with { type: 'json' };
import zh from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };

const LOCALES = [en, ru, zh, de, fr, es, pt, it, nl, pl, uk, kk, mn, ja, ko, ar, hi, tr];
for (const locale of LOCALES) countries.registerLocale(locale);

/** Common names the locale tables lack. Keys are compared after {@link normaliseCountryKey}. */
const ALIASES: Record<string, string> = {
  uk: 'GB',
  'great britain': 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  'northern ireland': 'GB',
  usa: 'US',
  'u s a': 'US',
  'u s': 'US',
  america: 'US',
  'united states of america': 'US',
  prc: 'CN',
  'mainland china': 'CN',
  "people's republic of china": 'CN',
  'peoples republic of china': 'CN',
  рф: 'RU',
  россия: 'RU',
  'российская федерация': 'RU',
  中国: 'CN',
  中华人民共和国: 'CN',
  中國: 'CN',
  holland: 'NL',
  'south korea': 'KR',
  'north korea': 'KP',
  czechia: 'CZ',
  'ivory coast': 'CI',
  uae: 'AE',
  türkiye: 'TR',
  turkiye: 'TR',
  vatican: 'VA',
  deutschland: 'DE',
};

/** A country as shown on the site. */
export interface Country {
  code: string;
  name: string;
}

/** Lower-cases, strips accents, punctuation and extra spaces so "Côte d’Ivoire" matches "cote d ivoire". */
export function normaliseCountryKey(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('en')
    .replace(/[’'`´]/g, "'")
    .replace(/[.,()\-_/]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

let lookup: Map<string, string> | undefined;

function buildLookup(): Map<string, string> {
  const candidates = new Map<string, Set<string>>();
  const add = (name: string, code: string): void => {
    const key = normaliseCountryKey(name);
    if (!key) return;
    const set = candidates.get(key) ?? new Set<string>();
    set.add(code);
    candidates.set(key, set);
  };
  for (const locale of LOCALES) {
    const names = countries.getNames(locale.locale, { select: 'all' }) as Record<string, string[]>;
    for (const [code, variants] of Object.entries(names)) for (const name of variants) add(name, code);
  }
  const map = new Map<string, string>();
  // A name that means two places in different languages is ambiguous: better to ask than guess.
  for (const [key, codes] of candidates) if (codes.size === 1) map.set(key, [...codes][0]!);
  for (const [alias, code] of Object.entries(ALIASES)) map.set(normaliseCountryKey(alias), code);
  return map;
}

/**
 * Resolves what a signer typed ("Россия", "中国", "Deutschland", "DE", "deu", "UK") to an
 * ISO 3166-1 alpha-2 country, or `undefined` when it names no country or territory.
 */
export function resolveCountry(input: string): Country | undefined {
  const trimmed = input.normalize('NFC').trim();
  if (trimmed === '' || trimmed.length > 100) return undefined;
  let code: string | undefined;
  if (/^[A-Za-z]{2}$/.test(trimmed) && countries.isValid(trimmed.toUpperCase())) {
    code = trimmed.toUpperCase();
  } else if (/^[A-Za-z]{3}$/.test(trimmed) && countries.isValid(trimmed.toUpperCase())) {
    code = countries.alpha3ToAlpha2(trimmed.toUpperCase());
  }
  if (!code) {
    lookup ??= buildLookup();
    code = lookup.get(normaliseCountryKey(trimmed));
  }
  return code ? { code, name: countryName(code) } : undefined;
}

/** Whether `code` is an assigned ISO 3166-1 alpha-2 code (upper case). */
export function isCountryCode(code: string): boolean {
  return /^[A-Z]{2}$/.test(code) && countries.isValid(code);
}

const englishRegionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** The English short name of a country code as people say it, e.g. "RU" → "Russia", "KR" → "South Korea". */
export function countryName(code: string): string {
  return englishRegionNames.of(code) ?? countries.getName(code, 'en') ?? code;
}

/** Every country and territory with its English name, sorted by name: for the form's suggestions. */
export function allCountries(): Country[] {
  return Object.keys(countries.getAlpha2Codes())
    .map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
}
