/**
 * A Russian or Chinese reader reads the whole site in their language: no text in another script
 * on any of their pages except names and codes, the signature breakdown joined as their language
 * joins a list, emphasis in Chinese Markdown, and the printed QR codes leading to their pages.
 *
 * The names and codes allowed in Latin letters are derived, not listed: the words every
 * translation keeps in Latin letters in its own catalogue and Markdown (a product's name such as
 * the one the signatures go through, a file format), the parts of the repository's name and the
 * site's address, and whatever sits inside an element marked with another language (signers'
 * names and reasons carry lang="").
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { renderPixels } from '../../scripts/site/pictures/card.ts';
import { markdown } from '../../scripts/site/site-data.ts';
import { fixturePetitionDir, fixtureSettings } from '../helpers/petitions.ts';
import { buildSite, listFiles, projectRoot, type BuiltSite } from '../helpers/site.ts';

// jsqr is CommonJS typed as an ES module: its default export is the function or holds it.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

/** What a phone reads from a QR code drawn as SVG. */
function scan(svg: string): string | undefined {
  const { pixels, width, height } = renderPixels(svg, 600);
  return jsQR(new Uint8ClampedArray(pixels), width, height)?.data;
}

const MIXED = path.join(projectRoot, 'test/fixtures/signatures/mixed');
const TRANSLATED = ['ru', 'zh'];
/** Attributes a reader meets (read aloud, shown on hover, or by a share preview). */
const READ_ATTRIBUTES = ['alt', 'aria-label', 'title', 'placeholder', 'aria-description'];
/** A word in Latin letters, apostrophes inside it ("leopard's"); a hyphen ends it ("Git-репозиторий"). */
const LATIN_WORD = /\p{Script=Latin}+(?:['’]\p{Script=Latin}+)*/gu;
/**
 * Codes, whatever their letters: addresses and host names, paths and file names, e-mail addresses, and
 * identifiers with a digit in them (a batch "2026-11-market", "SHA-256").
 */
const CODE =
  /^(?:[\w.+-]+@[\w.-]+|\S*(?:https?:\/\/|www\.)\S*|[\w-]+(?:\.[\w-]+)+(?:\/\S*)?|(?:[\w.-]+\/)+[\w.-]+|(?=[\w-]*\d)[\w-]+)$/i;
/** An acronym ("IUCN", "PDF"): a name, in the letters it is known by. */
const ACRONYM = /^\p{Lu}{2,6}$/u;

/** The petition the tests build (buildSite's default): the words they allow come from its own sources. */
const BUILT = fixturePetitionDir('amur-leopard');

async function textFiles(folder: string, extensions: string[]): Promise<string[]> {
  const files = await listFiles(folder, extensions).catch(() => [] as string[]);
  return Promise.all(files.map((file) => readFile(path.join(folder, file), 'utf8')));
}

/**
 * The Latin words each translation keeps in its own sources; allowed are those all of them keep.
 * With `archived`, its archived letters count too: an old version is shown as its signers read
 * it, whatever has been corrected since ("Tymangan").
 */
async function sharedLatinWords(archived = false): Promise<Set<string>> {
  const perLanguage = await Promise.all(
    TRANSLATED.map(async (code) => {
      const sources = [
        await readFile(path.join(BUILT, `content/i18n/${code}.yml`), 'utf8'),
        ...(await textFiles(path.join(BUILT, 'content', code), ['.md', '.json'])),
        ...(archived ? await textFiles(path.join(BUILT, 'content/letter-versions', code), ['.md']) : []),
      ];
      // Keys and YAML syntax are Latin too: only the values count (after a colon, or list items).
      const values = sources.join('\n').replace(/^\s*[\w-]+:(?=\s|$)/gm, '');
      return new Set(values.match(LATIN_WORD) ?? []);
    }),
  );
  const settings = JSON.parse(await readFile(path.join(BUILT, 'content/settings.json'), 'utf8'));
  const names = `${settings.repository} ${new URL(settings.site_url).hostname}`.split(/[^\p{L}\d]+/u);
  return new Set([...perLanguage[0]!].filter((word) => perLanguage.every((words) => words.has(word))).concat(names));
}

/** The text a reader meets on a page, leaving out elements in another language and code. */
function readerText(document: Document): string[] {
  const language = document.documentElement.getAttribute('lang');
  for (const element of [...document.querySelectorAll('[lang], script, style, code, kbd, samp, pre')])
    if (!element.hasAttribute('lang') || element.getAttribute('lang') !== language) element.remove();
  const texts: string[] = [document.title];
  const walker = document.createTreeWalker(document.body, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(node.textContent ?? '');
  for (const element of document.querySelectorAll('*'))
    for (const attribute of READ_ATTRIBUTES)
      if (element.hasAttribute(attribute)) texts.push(element.getAttribute(attribute)!);
  for (const meta of document.querySelectorAll(
    'meta[property^="og:"], meta[name^="twitter:"], meta[name="description"]',
  )) {
    const property = meta.getAttribute('property') ?? meta.getAttribute('name') ?? '';
    if (/(title|description|alt|site_name)$/.test(property)) texts.push(meta.getAttribute('content') ?? '');
  }
  return texts;
}

/** The words of `texts` in Latin letters that are neither allowed nor part of an address or code. */
function foreignWords(texts: readonly string[], allowed: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const text of texts)
    for (const token of text.split(/\s+/)) {
      if (CODE.test(token.replace(/[()[\],;:。，、：；（）]+$|^[([（]+/gu, ''))) continue;
      for (const word of token.match(LATIN_WORD) ?? [])
        if (word.length >= 3 && !ACRONYM.test(word) && !allowed.has(word)) found.add(word);
    }
  return [...found];
}

describe('a Russian or Chinese reader', () => {
  let site: BuiltSite;
  let allowed: Set<string>;
  let allowedInArchive: Set<string>;
  beforeAll(async () => {
    [site, allowed, allowedInArchive] = await Promise.all([
      buildSite({ signaturesDir: MIXED }),
      sharedLatinWords(),
      sharedLatinWords(true),
    ]);
  });
  afterAll(() => rm(path.dirname(site.output), { recursive: true, force: true }));

  it('meets no words of another language on any page of theirs, apart from names and codes', async () => {
    const report: Record<string, string[]> = {};
    const seen: Record<string, number> = {};
    // Every page whose language is one of theirs, wherever it lives (an archived letter version
    // in Russian is at /letter/versions/<sha256>/).
    for (const page of (await readdir(site.output, { recursive: true })).filter((file) => file.endsWith('.html'))) {
      const document = await site.dom(page);
      const code = document.documentElement.getAttribute('lang') ?? '';
      if (!TRANSLATED.includes(code)) continue;
      seen[code] = (seen[code] ?? 0) + 1;
      const texts = readerText(document);
      const words = foreignWords(texts, page.startsWith('letter/versions/') ? allowedInArchive : allowed);
      // A comma before a word is a value that printed as a list of parts (",Организаторы …").
      for (const text of texts) words.push(...(text.match(/(?:^|\s),\p{L}+/gu) ?? []));
      // Chinese is punctuated with full-width marks: "总理, 温家宝" or "拯救远东豹: …" is not Chinese.
      if (code === 'zh')
        for (const text of texts)
          words.push(...(text.match(/\p{Script=Han}\s?[,:;()]|[,:;(]\s?\p{Script=Han}/gu) ?? []));
      if (words.length > 0) report[page] = words;
    }
    for (const code of TRANSLATED) expect(seen[code], code).toBeGreaterThan(10);
    expect(report).toEqual({});
  });

  it('is taken by every link on their pages to the page in their language, wherever the site has one', async () => {
    const report: string[] = [];
    for (const page of (await readdir(site.output, { recursive: true })).filter((file) => file.endsWith('.html'))) {
      const document = await site.dom(page);
      const code = document.documentElement.getAttribute('lang') ?? '';
      if (!TRANSLATED.includes(code)) continue;
      // The site's path prefix: the site name links the language's home, "<prefix><code>/".
      const home = document.querySelector('a.site-name')?.getAttribute('href') ?? '';
      expect(home.endsWith(`/${code}/`), `${page}: the site name links ${home}`).toBe(true);
      const prefix = home.slice(0, -`${code}/`.length);
      for (const link of document.querySelectorAll(`a[href^="${prefix}"]`)) {
        // The language switch links other languages on purpose, and says so with hreflang; a
        // translated page's note links the original it was translated from.
        if (link.hasAttribute('hreflang') || (link.getAttribute('lang') ?? code) !== code) continue;
        if (link.closest('.translation-note')) continue;
        const target = (link.getAttribute('href') ?? '').replace(/[?#].*$/s, '').slice(prefix.length);
        if (!target.endsWith('/') || target.startsWith(`${code}/`)) continue;
        if (existsSync(path.join(site.output, code, target, 'index.html')))
          report.push(`${page}: ${prefix}${target} (there is ${prefix}${code}/${target})`);
      }
    }
    expect(report).toEqual([]);
  });

  it('sees bold text next to Chinese punctuation as bold, never as asterisks', async () => {
    expect(markdown.renderInline('**哪些内容会公开：**姓名和国家。')).toBe(
      '<strong>哪些内容会公开：</strong>姓名和国家。',
    );
    expect(markdown.renderInline('这是**“重要”**的。')).toBe('这是<strong>“重要”</strong>的。');
    for (const code of TRANSLATED)
      for (const page of (await readdir(path.join(site.output, code), { recursive: true })).filter((file) =>
        file.endsWith('.html'),
      ))
        expect(readerText(await site.dom(`${code}/${page}`)).join('\n'), `${code}/${page}`).not.toMatch(
          /\*\*|(?<!\w)__/,
        );
  });

  it('is sent by the poster and the signature sheet of their language to pages in their language', async () => {
    // The address of the petition built (the fixture), not of the one in content/.
    const settings = await fixtureSettings('amur-leopard');
    const base = new URL(String(settings.path_prefix), String(settings.site_url)).toString();
    const { is_open: open } = JSON.parse(await site.read('data/tally.json'));
    for (const folder of ['', ...TRANSLATED.map((code) => `${code}/`)]) {
      const poster = await site.dom(`${folder}poster/index.html`);
      const target = `${base}${folder}${open ? 'sign/' : ''}`;
      const svg = poster.querySelector('.poster svg.qr-code')!;
      expect(scan(svg.outerHTML), `${folder}poster/`).toBe(target);
      expect(poster.querySelector('.poster-url')?.textContent, `${folder}poster/`).toBe(target.replace('https://', ''));
      expect(svg.getAttribute('aria-label'), `${folder}poster/`).toContain(target);
      // The code to download is the same code.
      const download = await site.read(`${folder}poster/qr.svg`);
      expect(download.startsWith('<?xml'), `${folder}poster/qr.svg`).toBe(true);
      expect(scan(download.replace(/^<\?xml[^>]*>\s*/, '')), `${folder}poster/qr.svg`).toBe(target);
      const sheet = await site.dom(`${folder}sheet/index.html`);
      expect(scan(sheet.querySelector('.sheet-qr svg')!.outerHTML), `${folder}sheet/`).toBe(`${base}${folder}`);
    }
  });

  it('is shown the counter badge in their language, in the picture and in the snippet that embeds it', async () => {
    for (const code of TRANSLATED) {
      const page = await site.dom(`${code}/how-it-works/index.html`);
      const image = page.querySelector('.counter-preview img')!;
      expect(image.getAttribute('src'), code).toMatch(new RegExp(`/badge-${code}\\.svg$`));
      const svg = await site.read(`badge-${code}.svg`);
      const words = [...svg.matchAll(/<(?:title|text)[^>]*>([^<]*)</g)].map((match) => match[1]).join(' ');
      const label = /aria-label="([^"]*)"/.exec(svg)?.[1] ?? '';
      expect(foreignWords([words, label], allowed), code).toEqual([]);
      const snippet = page.querySelector('pre.snippet code')!.textContent ?? '';
      expect(snippet, code).toContain(`badge-${code}.svg`);
      expect(foreignWords([/alt="([^"]*)"/.exec(snippet)?.[1] ?? ''], allowed), code).toEqual([]);
    }
  });

  it('reads the signature breakdown as a list joined in their language', async () => {
    const expected: Record<string, string> = {
      '': '1 signed online through GitHub, 2 on paper and 1 by email',
      'ru/': '1 подписал(а) онлайн через GitHub, 2 на бумаге и 1 по электронной почте',
      'zh/': '1 人通过 GitHub 在线签名、2 人在纸上签名和1 人通过电子邮件签名',
    };
    for (const [folder, sentence] of Object.entries(expected))
      for (const page of ['index.html', 'signatures/index.html', 'letter/index.html', 'letter/delivery/index.html']) {
        const html = await site.read(`${folder}${page}`);
        expect(html, `${folder}${page}`).toContain(sentence);
      }
  });

  it('reads every date written out on their pages whole, inside a <time> that does not break', async () => {
    const written =
      /\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}\s(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)\s\d{4}/u;
    const report: Record<string, string[]> = {};
    for (const page of (await readdir(site.output, { recursive: true })).filter((file) => file.endsWith('.html'))) {
      const document = await site.dom(page);
      if (!TRANSLATED.includes(document.documentElement.getAttribute('lang') ?? '')) continue;
      // SVG text (the chart's labels) is laid out by coordinates and never wraps.
      for (const element of [...document.querySelectorAll('time, script, svg, [lang]:not(html)')]) element.remove();
      const loose = [...(document.body.textContent ?? '').matchAll(new RegExp(written, 'gu'))].map((m) => m[0]);
      if (loose.length > 0) report[page] = loose;
    }
    expect(report).toEqual({});
    const css = await site.read('assets/site.css');
    expect(css).toMatch(/(?:^|\n)time\s*\{[^}]*white-space:\s*nowrap/);
  });

  it('finds the country names of the English sign form’s hint marked with their own language', async () => {
    const hint = (await site.dom('sign/index.html')).querySelector('#sign-country-hint')!;
    const marked = Object.fromEntries(
      [...hint.querySelectorAll('[lang]')].map((span) => [span.getAttribute('lang'), span.textContent]),
    );
    expect(marked).toEqual({ ru: 'Россия', zh: '中国', de: 'Deutschland' });
    for (const code of TRANSLATED) {
      const translated = (await site.dom(`${code}/sign/index.html`)).querySelector('#sign-country-hint')!;
      const languages = [...translated.querySelectorAll('[lang]')].map((span) => span.getAttribute('lang'));
      expect(languages.sort(), code).toEqual(['de', 'ru', 'zh']);
    }
  });

  it('reads on the delivery letter who holds each office now, in their language, and the day that was checked', async () => {
    const settings = JSON.parse(
      await readFile(path.join(fixturePetitionDir('amur-leopard'), 'content/settings.json'), 'utf8'),
    );
    const offices = settings.offices_now as {
      holder: string;
      holder_as_of: string;
      holder_in: Record<string, string>;
    }[];
    for (const code of ['en', ...TRANSLATED]) {
      const page = await site.dom(`${code === 'en' ? '' : `${code}/`}letter/delivery/index.html`);
      const holders = [...page.querySelectorAll('.recipients .holder-now')];
      expect(holders, code).toHaveLength(offices.length);
      holders.forEach((holder, index) => {
        const office = offices[index]!;
        expect(holder.textContent, code).toContain(office.holder_in[code] ?? office.holder);
        expect(holder.querySelector('time')?.getAttribute('datetime'), code).toBe(office.holder_as_of);
      });
    }
  });
});
