/**
 * The verifier's checks: a built or published site against what a clone says it must show. The
 * clone's side is computed by the build's own data step (scripts/site/site-data.ts), so "what the
 * site must show" means exactly what `npm run build` would have written from these files; the
 * site's side is read through a {@link SiteSource}, a folder or a URL, one file at a time.
 *
 * What is checked: data/tally.json (every figure and the digest); the count, the count per
 * channel and per country on the pages that show them, in every language, and on the counter
 * (badge.svg); each page of the full list in every language (the part of the open data and the
 * ranks it draws; no page missing, none extra), each printable volume in every language (the
 * ranks and count its table draws and its heading and "as of" line show; none missing, none
 * extra), the receipt pages in every language and the
 * receipt data they look ids up in (each GitHub signer's list page, as the files give it); the open
 * data (the index, each CSV part's size, SHA-256, row count and rows, which are the signers of
 * its list page, oldest first); every letter
 * version (each language's letter digest, the archive's pages and their text, the former
 * digests' pages). A delivery packet's manifest and SHA256SUMS are checked in delivery-checks.ts.
 */
import { createHash } from 'node:crypto';
import { letterDigest } from '../core/letter-archive.ts';
import type { Tally } from '../core/tally.ts';
import { recordOfRank } from '../site/bulk-pages.ts';
import { CSV_HEADER, csvParts, OPEN_DATA, openDataPartPath, type CsvPart } from '../site/open-data.ts';
import { checkListPages } from './list-checks.ts';
import {
  NOT_UNPACKED,
  numbersIn,
  text,
  unpackedText,
  type Difference,
  type Expected,
  type SiteSource,
} from './site-source.ts';

export type { Difference, Expected, SiteSource };
export { numbersIn };

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** data/tally.json against the clone's tally: every figure but the moment it was made. */
export function checkTallyJson(published: unknown, expected: Tally): Difference[] {
  const where = 'data/tally.json';
  if (typeof published !== 'object' || published === null) return [{ where, what: 'is not a JSON object' }];
  const p = published as Partial<Tally>;
  const out: Difference[] = [];
  const same = (label: string, got: unknown, want: unknown) => {
    if (JSON.stringify(got) !== JSON.stringify(want))
      out.push({ where, what: `${label} is ${JSON.stringify(got)}; the files give ${JSON.stringify(want)}` });
  };
  same('signature_count', p.signature_count, expected.signature_count);
  same('country_count', p.country_count, expected.country_count);
  same('signatures_by_channel', p.signatures_by_channel, expected.signatures_by_channel);
  const countries = (list: Tally['signatures_by_country'] | undefined) =>
    Object.fromEntries((list ?? []).map((c) => [c.code, c.signature_count]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
  same('signatures_by_country', countries(p.signatures_by_country), countries(expected.signatures_by_country));
  same('signatures_by_day', p.signatures_by_day, expected.signatures_by_day);
  same('digest', p.digest?.value, expected.digest.value);
  same('goal', p.goal, expected.goal);
  return out;
}

/** The count, the count per channel and per country on each language's pages. */
async function checkShownNumbers(site: SiteSource, expected: Expected): Promise<Difference[]> {
  const { tally, languages } = expected.data;
  const out: Difference[] = [];
  const channels = [
    tally.signatures_by_channel.github,
    tally.signatures_by_channel.paper,
    tally.signatures_by_channel.email,
  ];
  const mixed = channels[1]! > 0 || channels[2]! > 0;
  for (const language of languages) {
    const root = language.root.replace(/^\//, '');
    for (const page of [`${root}index.html`, `${root}signatures/countries/index.html`]) {
      if (page.endsWith('countries/index.html')) {
        const bytes = await site.read(page);
        if (!bytes) {
          out.push({ where: page, what: 'is missing' });
          continue;
        }
        const html = text(bytes);
        const shown = new Map<string, number>();
        for (const m of html.matchAll(/<tr id="country-([A-Z]{2})">(.{0,400}?)<\/tr>/g))
          shown.set(m[1]!, numbersIn(/<td class="num">([^<]{0,40})<\/td>/.exec(m[2]!)?.[1] ?? '')[0] ?? NaN);
        const want = new Map(tally.signatures_by_country.map((c) => [c.code, c.signature_count]));
        for (const [code, count] of want)
          if (shown.get(code) !== count)
            out.push({ where: page, what: `${code} shows ${shown.get(code) ?? 'nothing'}; the files give ${count}` });
        for (const code of shown.keys())
          if (!want.has(code))
            out.push({ where: page, what: `${code} is listed; the files have no signature from it` });
        continue;
      }
      const bytes = await site.read(page);
      if (!bytes) {
        out.push({ where: page, what: 'is missing' });
        continue;
      }
      const html = text(bytes);
      const count = /<strong class="count-number">([^<]{0,40})<\/strong>/.exec(html);
      if (!count) out.push({ where: page, what: 'shows no count (class="count-number")' });
      else if (numbersIn(count[1]!)[0] !== tally.signature_count)
        out.push({ where: page, what: `shows ${count[1]} signatures; the files give ${tally.signature_count}` });
      const channelLine = /<p class="channel-count">(.{0,2000}?)<\/p>/s.exec(html);
      const want = channels.filter((n) => n > 0);
      if (mixed && !channelLine) out.push({ where: page, what: 'shows no count per channel (class="channel-count")' });
      else if (!mixed && channelLine)
        out.push({ where: page, what: 'shows a count per channel; every signature in the files came through GitHub' });
      else if (channelLine && JSON.stringify(numbersIn(channelLine[1]!).slice(0, want.length)) !== JSON.stringify(want))
        out.push({
          where: page,
          what: `counts per channel show ${numbersIn(channelLine[1]!).join(', ')}; the files give ${want.join(', ')} (GitHub, paper, email, leaving out none)`,
        });
    }
  }
  return out;
}

/** RFC 4180 records in CSV text (a header row included): line ends outside quotes. */
export function csvRecordCount(csv: string): number {
  let records = 0;
  let quoted = false;
  let empty = true;
  for (let i = 0; i < csv.length; i += 1) {
    const c = csv.charCodeAt(i);
    if (c === 0x22) quoted = !quoted;
    if (!quoted && c === 0x0a) {
      records += 1;
      empty = true;
    } else if (c !== 0x0d) empty = false;
  }
  return records + (empty ? 0 : 1);
}

interface IndexEntry {
  url: string;
  bytes: number;
  sha256: string;
  first?: number;
  last?: number;
  rows?: number;
}

/**
 * The open data: the index names the clone's count and digest; each part is what its index entry
 * says (size, SHA-256, rows), holds the rows the clone gives for its ranks, and covers the ranks
 * of the list page of its number, which is drawn from it. Parts are read a few at a time.
 */
async function checkOpenData(site: SiteSource, expected: Expected): Promise<Difference[]> {
  const where = OPEN_DATA.index;
  const bytes = await site.read(where);
  if (!bytes) return [{ where, what: 'is missing' }];
  let index: { signature_count?: number; digest?: { value?: string }; rows_per_part?: number; parts?: IndexEntry[] };
  try {
    index = JSON.parse(text(bytes)) as typeof index;
  } catch {
    return [{ where, what: 'is not JSON' }];
  }
  const out: Difference[] = [];
  const { tally } = expected.data;
  if (index.signature_count !== tally.signature_count)
    out.push({ where, what: `signature_count is ${index.signature_count}; the files give ${tally.signature_count}` });
  if (index.digest?.value !== tally.digest.value)
    out.push({ where, what: `digest is ${index.digest?.value}; the files give ${tally.digest.value}` });
  const parts = Array.isArray(index.parts) ? index.parts : [];
  const count = expected.bulk.newest.length;
  const { perPage } = expected.bulk;
  if (index.rows_per_part !== perPage)
    out.push({ where, what: `rows_per_part is ${index.rows_per_part}; the list pages hold ${perPage} each` });
  const want = csvParts(count, (rank) => recordOfRank(expected.bulk, rank), perPage);
  let listed = 0;
  const checks: { part: CsvPart; entry: IndexEntry; i: number }[] = [];
  for (const part of want) {
    const entry = parts[listed];
    listed += 1;
    if (entry) checks.push({ part, entry, i: listed - 1 });
    // A few parts' rows held at once, not all of them.
    if (checks.length >= 8) await checkParts(checks.splice(0));
  }
  await checkParts(checks);
  if (parts.length !== listed) out.push({ where, what: `lists ${parts.length} CSV parts; the files fill ${listed}` });
  return out.sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true }));

  async function checkParts(batch: readonly { part: CsvPart; entry: IndexEntry; i: number }[]): Promise<void> {
    await Promise.all(batch.map(({ part, entry, i }) => checkPart(part, entry, i)));
  }
  async function checkPart(part: CsvPart, entry: IndexEntry, i: number): Promise<void> {
    // The file of the part's number, whatever the index says: a published index's url is not trusted as a path.
    const file = openDataPartPath(part.number);
    if (entry.first !== part.first || entry.last !== part.last || entry.rows !== part.last - part.first + 1)
      out.push({
        where,
        what: `part ${i + 1} says ranks ${entry.first}–${entry.last} (${entry.rows} rows); the files give ${part.first}–${part.last}`,
      });
    if (entry.url !== `${part.number}${OPEN_DATA.partSuffix}`)
      out.push({
        where,
        what: `part ${i + 1} is ${entry.url}; list page ${part.number} is drawn from ${part.number}${OPEN_DATA.partSuffix}`,
      });
    const gz = await site.read(file);
    if (!gz) {
      out.push({ where: file, what: 'is missing' });
      return;
    }
    if (gz.byteLength !== entry.bytes || sha256(gz) !== entry.sha256)
      out.push({
        where: file,
        what: `its size or SHA-256 (${sha256(gz)}) is not what ${where} says (${entry.sha256})`,
      });
    const csv = unpackedText(gz);
    if (csv === undefined) {
      out.push({ where: file, what: NOT_UNPACKED });
      return;
    }
    const rows = csvRecordCount(csv) - 1;
    if (rows !== entry.rows) out.push({ where: file, what: `holds ${rows} rows; ${where} says ${entry.rows}` });
    if (csv !== part.bytes.toString('utf8')) {
      const got = csv.startsWith(CSV_HEADER) ? csv.slice(CSV_HEADER.length).split('\r\n') : [];
      const line = part.rows.split('\r\n').findIndex((row, n) => row !== got[n]);
      out.push({
        where: file,
        what: `its rows differ from the files (first at rank ${part.first + Math.max(0, line)})`,
      });
    }
  }
}

/**
 * Each language's letter page prints its file's digest; the archive's versions are all published,
 * each page with the text of its file; every former digest has its page; the list names them all.
 */
async function checkLetters(
  site: SiteSource,
  expected: Expected,
  letterTexts: Record<string, string>,
): Promise<Difference[]> {
  const { languages, letters, letterVersions, letterVersionAliases } = expected.data;
  const out: Difference[] = [];
  for (const language of languages) {
    const where = `${language.root.replace(/^\//, '')}letter/index.html`;
    const bytes = await site.read(where);
    if (!bytes) {
      out.push({ where, what: 'is missing' });
      continue;
    }
    const shown = /class="letter-hash">.{0,400}?<code class="hash">([0-9a-f]{64})<\/code>/s.exec(text(bytes))?.[1];
    const letter = letters[language.code]!;
    const source = letterTexts[letter.file];
    const want = source === undefined ? letter.sha256 : letterDigest(source);
    if (shown !== want)
      out.push({
        where,
        what: `prints the letter digest ${shown ?? '(none)'}; sha256sum ${letter.file} gives ${want}`,
      });
  }
  const listed = new Set<string>();
  const list = await site.read('letter/versions/index.html');
  if (!list) out.push({ where: 'letter/versions/index.html', what: 'is missing' });
  else for (const m of text(list).matchAll(/letter\/versions\/([0-9a-f]{64})\//g)) listed.add(m[1]!);
  for (const version of letterVersions) {
    const where = `letter/versions/${version.sha256}/index.html`;
    if (list && !listed.has(version.sha256))
      out.push({ where: 'letter/versions/index.html', what: `does not list ${version.file}` });
    const bytes = await site.read(where);
    if (!bytes) out.push({ where, what: `is missing (${version.file})` });
    else if (!text(bytes).includes(version.html))
      out.push({ where, what: `its text is not the text of ${version.file}` });
  }
  for (const alias of letterVersionAliases) {
    const where = `letter/versions/${alias.from}/index.html`;
    const bytes = await site.read(where);
    if (!bytes || !text(bytes).includes(`letter/versions/${alias.to}/`))
      out.push({ where, what: `does not lead to version ${alias.to}, whose former digest it is` });
  }
  const known = new Set([...letterVersions.map((v) => v.sha256), ...letterVersionAliases.map((a) => a.from)]);
  for (const sha of listed)
    if (!known.has(sha))
      out.push({ where: 'letter/versions/index.html', what: `lists ${sha}, which no file of the archive has` });
  return out;
}

export interface CheckOptions {
  /** Pages fetched at once from a published site. */
  concurrency?: number;
  /** The clone's letter files' texts by path (content/letter.md, …), to recompute their digests. */
  letterTexts?: Record<string, string>;
}

/** Every check of the site against the clone; an empty list when everything agrees. */
export async function checkSite(
  site: SiteSource,
  expected: Expected,
  options: CheckOptions = {},
): Promise<Difference[]> {
  const out: Difference[] = [];
  const tallyBytes = await site.read('data/tally.json');
  if (!tallyBytes) out.push({ where: 'data/tally.json', what: 'is missing' });
  else {
    let published: unknown;
    try {
      published = JSON.parse(text(tallyBytes));
    } catch {
      published = undefined;
    }
    out.push(...checkTallyJson(published, expected.data.tally));
  }
  out.push(...(await checkShownNumbers(site, expected)));
  // The counter other sites embed (badge.svg): its bold figure is the count.
  const badge = await site.read('badge.svg');
  const figure = badge && /<text [^>]{0,300}font-weight="700">([^<]{0,80})<\/text>/.exec(text(badge))?.[1];
  if (badge && numbersIn(figure ?? '')[0] !== expected.data.tally.signature_count)
    out.push({
      where: 'badge.svg',
      what: `shows ${JSON.stringify(figure ?? '')}; the files give ${expected.data.tally.signature_count} signatures`,
    });
  out.push(...(await checkListPages(site, expected, options.concurrency ?? 8)));
  out.push(...(await checkOpenData(site, expected)));
  out.push(...(await checkLetters(site, expected, options.letterTexts ?? {})));
  return out;
}
