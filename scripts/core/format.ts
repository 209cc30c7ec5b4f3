/**
 * Formatting in the default language for the pictures and the signer lists, which are drawn once
 * (the templates' language-aware filters are in languages.ts), and the URL filters.
 */

const numberFormat = new Intl.NumberFormat('en');
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** 12345 → "12,345". */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** A Date or ISO string → "24 November 2026" (UTC, so every reader sees the same day). */
export function formatDate(value: Date | string): string {
  const date = value instanceof Date ? value : new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return dateFormat.format(date);
}

/** A Date → "2026-11-24" for <time datetime>. */
export function isoDate(value: Date | string): string {
  return (value instanceof Date ? value.toISOString() : value).slice(0, 10);
}

/** "1 signature", "2 signatures": for the delivery packet, which is written in English. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${formatNumber(count)} ${count === 1 ? singular : pluralForm}`;
}

/** Makes a root-relative URL absolute on the published site (for canonical, Open Graph, share links). */
export function makeAbsoluteUrl(siteBaseUrl: string): (url: string) => string {
  return (url: string) => new URL(url.replace(/^\//, ''), siteBaseUrl).toString();
}
