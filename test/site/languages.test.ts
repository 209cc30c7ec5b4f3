/**
 * The site in every language of content/i18n/: pages at /ru/… and /zh/…, lang and hreflang, a
 * language switch that keeps the reader on the same page, counts and country names in the
 * reader's language, the translated letter and its archived versions, and a fork that keeps
 * only English.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { letterDigest } from '../../scripts/core/tally.ts';
import { readLetterVersions } from '../../scripts/site/letter-versions.ts';
import { updatesFor, type UpdateListItem } from '../../scripts/site/collections.ts';
import { markdown } from '../../scripts/site/site-data.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { copyPetitionProject, fixturePetitionDir, writeDerivedFiles } from '../helpers/petitions.ts';
import { buildSite, checkHtml, listFiles, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { drawnListPage } from '../helpers/list-script.ts';

/** The petition these tests build: the amur-leopard fixture (en, ru, zh). */
const leopard = fixturePetitionDir('amur-leopard');

const BASE = 'https://petition-as-code.github.io/amur-leopard/';
/** Every page that exists once per language, as its path inside the language. */
const PAGES = [
  '',
  'sign/',
  'letter/',
  'letter/delivery/',
  'letter/versions/',
  'signatures/countries/',
  'updates/',
  'updates/what-has-happened-since/',
  'how-it-works/',
  'poster/',
];
const LANGUAGES = [
  { code: 'en', folder: '' },
  { code: 'ru', folder: 'ru/' },
  { code: 'zh', folder: 'zh/' },
];
const file = (folder: string, page: string) => `${folder}${page}index.html`;

// 21 signers from Russia and 3 from Germany: "21 подпись", "3 подписи", "24 подписи".
async function signaturesFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'petition-languages-'));
  const records = generateSampleRecords(24, { seed: 10 }).map((record, index) => ({
    ...record,
    country: index < 21 ? 'RU' : 'DE',
  }));
  await writeSignatureFiles(folder, records);
  return folder;
}
const built = signaturesFolder().then((signaturesDir) =>
  buildSite({ signaturesDir, settings: { state: 'open', closing_date: '2099-12-31' } }),
);

describe('the site in English, Russian and Chinese', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    site = await built;
  });

  it('has every page in every language, each with its lang, hreflang alternates and x-default', async () => {
    for (const { code, folder } of LANGUAGES)
      for (const page of PAGES) {
        const dom = await site.dom(file(folder, page));
        expect(dom.documentElement.getAttribute('lang'), `${folder}${page}`).toBe(code);
        const alternates = Object.fromEntries(
          [...dom.querySelectorAll('link[rel="alternate"][hreflang]')].map((link) => [
            link.getAttribute('hreflang'),
            link.getAttribute('href'),
          ]),
        );
        expect(alternates, `${folder}${page}`).toEqual({
          en: `${BASE}${page}`,
          'x-default': `${BASE}${page}`,
          ru: `${BASE}ru/${page}`,
          zh: `${BASE}zh/${page}`,
        });
      }
  });

  it('offers a language switch, without JavaScript, that leads to the same page in each language', async () => {
    for (const { folder } of LANGUAGES)
      for (const page of PAGES) {
        const links = [...(await site.dom(file(folder, page))).querySelectorAll('nav.language-switch a')];
        expect(
          links.map((link) => [link.textContent, link.getAttribute('lang'), link.getAttribute('href')]),
          `${folder}${page}`,
        ).toEqual([
          ['English', 'en', `/amur-leopard/${page}`],
          ['Русский', 'ru', `/amur-leopard/ru/${page}`],
          ['中文', 'zh', `/amur-leopard/zh/${page}`],
        ]);
        expect(links.filter((link) => link.getAttribute('aria-current') === 'page')).toHaveLength(1);
      }
  });

  it('counts in the reader’s language: "24 подписи", "21 подпись", "3 подписи", country names from Intl', async () => {
    const home = await site.dom('ru/index.html');
    expect(home.querySelector('.count')?.textContent).toBe('24 подписи из 2 стран');
    const rows = [...home.querySelectorAll('table.countries tbody tr')].map((row) => row.textContent);
    expect(rows).toEqual(['Россия21', 'Германия3']);
    expect((await site.dom('ru/letter/index.html')).querySelector('.tally-sentence')?.textContent).toBe(
      'Мы, 24 нижеподписавшихся из 2 стран, обращаемся к вам:',
    );
    expect((await site.dom('zh/index.html')).querySelector('.count')?.textContent).toBe(
      '24 个签名，来自 2 个国家和地区',
    );
    const zhRows = [...(await site.dom('zh/index.html')).querySelectorAll('table.countries tbody td:first-child')];
    expect(zhRows.map((cell) => cell.textContent)).toEqual(['俄罗斯', '德国']);
    expect((await site.dom('ru/signatures/countries/index.html')).querySelector('caption')?.textContent).toBe(
      '24 подписи из 2 стран и территорий, по убыванию',
    );
  });

  it('writes dates the reader’s way and keeps signer names in the language they were typed in', async () => {
    const ru = await site.dom('ru/index.html');
    expect(ru.querySelector('.goal time')?.textContent).toBe('31 декабря 2099 г.');
    expect((await site.dom('zh/index.html')).querySelector('.goal time')?.textContent).toBe('2099年12月31日');
    for (const name of ru.querySelectorAll('.signer-name')) expect(name.getAttribute('lang')).toBe('');
  });

  it('offers the country suggestions in the reader’s language', async () => {
    const options = (dom: Document) => [...dom.querySelectorAll('#sign-countries option')].map((o) => o.textContent);
    expect(options(await site.dom('ru/sign/index.html'))).toContain('Германия');
    expect(options(await site.dom('zh/sign/index.html'))).toContain('德国');
    expect(options(await site.dom('sign/index.html'))).toContain('Germany');
  });

  it('gives the sign form’s script its messages in the page’s language', async () => {
    const messages = async (page: string) =>
      JSON.parse((await site.dom(page)).querySelector('#sign-form')?.getAttribute('data-messages') ?? '{}') as Record<
        string,
        string
      >;
    const [en, ru, zh] = (await Promise.all(
      ['sign/', 'ru/sign/', 'zh/sign/'].map((page) => messages(`${page}index.html`)),
    )) as [Record<string, string>, Record<string, string>, Record<string, string>];
    expect(Object.keys(ru)).toEqual(Object.keys(en));
    expect(ru.name_missing).toMatch(/^Напишите имя/);
    expect(zh.error_prefix).toBe('错误：');
    const script = await readFile(path.join(projectRoot, 'content/assets/js/sign-form.js'), 'utf8');
    // No message is written into the script itself (short ones like "Error: " also name things in comments).
    for (const english of Object.values(en).filter((message) => message.length > 20))
      expect(script).not.toContain(english.slice(0, 30));
  });

  it('marks the translated letter as a translation of the authoritative original, and says how to improve it', async () => {
    for (const language of ['ru', 'zh']) {
      const letter = await site.dom(`${language}/letter/index.html`);
      const note = letter.querySelector('.translation-note');
      expect(note, language).not.toBeNull();
      expect(note!.querySelector('a[href="/amur-leopard/letter/"]'), language).not.toBeNull();
      expect(
        note!.querySelector(
          `a[href="https://github.com/petition-as-code/amur-leopard/edit/HEAD/content/${language}/letter.md"]`,
        ),
      ).not.toBeNull();
    }
    expect((await site.dom('ru/letter/index.html')).querySelector('.recipients')?.textContent).toContain(
      'Владимир Путин',
    );
    expect((await site.dom('letter/index.html')).querySelector('.translation-note')).toBeNull();
  });

  it('prints the delivery letter in each language with the same signatures, tally and digest', async () => {
    const delivery = async (folder: string) => site.dom(`${folder}letter/delivery/index.html`);
    const [en, ru, zh] = (await Promise.all(LANGUAGES.map(({ folder }) => delivery(folder)))) as [
      Document,
      Document,
      Document,
    ];
    const hashes = (dom: Document) => [...dom.querySelectorAll('.letter-hash code')].map((code) => code.textContent);
    expect(hashes(ru)[1]).toBe(hashes(en)[1]);
    expect(hashes(zh)[1]).toBe(hashes(en)[1]);
    expect(hashes(ru)[0]).toBe(letterDigest(await readFile(path.join(leopard, 'content/ru/letter.md'), 'utf8')));
    // Every language lists the same printable volumes, each in its own language: here one, with all 24 signatures.
    for (const [dom, { folder }] of [en, ru, zh].map((dom, i) => [dom, LANGUAGES[i]!] as const))
      expect([...dom.querySelectorAll('.volumes a')].map((a) => a.getAttribute('href'))).toEqual([
        `/amur-leopard/${folder}letter/delivery/1/`,
      ]);
    const rows = async (folder: string) =>
      [
        ...(await drawnListPage(site.output, `${folder}letter/delivery/1/index.html`)).querySelectorAll(
          '.delivery-list tbody tr',
        ),
      ].map((row) => [...row.children].map((cell) => cell.textContent));
    const [enRows, ruRows] = [await rows(''), await rows('ru/')];
    expect(enRows).toHaveLength(24);
    // The same ranks, names and dates; the countries in the page's language.
    expect(ruRows.map(([rank, name, , date]) => [rank, name, date])).toEqual(
      enRows.map(([rank, name, , date]) => [rank, name, date]),
    );
    expect(new Set(ruRows.map((row) => row[2]))).toEqual(new Set(['Россия', 'Германия']));
    const ruVolume = await site.dom('ru/letter/delivery/1/index.html');
    expect(ruVolume.documentElement.getAttribute('lang')).toBe('ru');
    expect(ruVolume.querySelector('h1')?.textContent).toContain('том 1');
    expect(ru.querySelector('.volumes')?.textContent).toContain('Том 1');
    expect(zh.querySelector('.tally-sentence')?.textContent).toContain('24 名签署人');
  });

  it('prints a signature sheet in each language, with the letter of that language and its version hash', async () => {
    for (const { folder } of LANGUAGES) {
      const sheet = await site.dom(`${folder}sheet/index.html`);
      const letterPage = await site.dom(`${folder}letter/index.html`);
      expect(sheet.querySelector('.sheet-version .hash')?.textContent, folder || 'en').toMatch(/^[0-9a-f]{64}$/);
      expect(sheet.querySelector('.sheet-letter .demands')?.textContent).toBe(
        letterPage.querySelector('.letter-body .demands')?.textContent,
      );
    }
    expect((await site.dom('ru/sheet/index.html')).querySelector('.sheet-consent')?.textContent).toContain(
      'никогда не публикуется',
    );
    expect((await site.dom('zh/sheet/index.html')).querySelector('.sheet-consent')?.textContent).toContain('绝不公开');
  });

  it('publishes every version of the letter, each at its digest, listed on one page', async () => {
    const versions = await site.dom('letter/versions/index.html');
    for (const letterFile of ['content/letter.md', 'content/ru/letter.md', 'content/zh/letter.md']) {
      const sha256 = letterDigest(await readFile(path.join(leopard, letterFile), 'utf8'));
      expect(versions.querySelector(`a[href="/amur-leopard/letter/versions/${sha256}/"]`), letterFile).not.toBeNull();
      const page = await site.dom(`letter/versions/${sha256}/index.html`);
      expect(page.querySelector('.letter-body ol')?.children.length, letterFile).toBe(3);
    }
  });

  it('lists the updates in each language and feeds them per language', async () => {
    const ru = await site.dom('ru/updates/index.html');
    expect(ru.querySelector('.updates-list a')?.getAttribute('href')).toBe(
      '/amur-leopard/ru/updates/what-has-happened-since/',
    );
    expect(await site.read('ru/updates/feed.xml')).toContain('Что произошло с тех пор');
    expect(await site.read('updates/feed.xml')).not.toContain('Что произошло');
  });

  it('keeps every home page under 50 KB of HTML, CSS and JavaScript', async () => {
    const css = Buffer.byteLength(await site.read('assets/site.css'));
    const js = Buffer.byteLength(await site.read('assets/js/sign-form.js'));
    for (const { folder } of LANGUAGES) {
      const html = Buffer.byteLength(await site.read(`${folder}index.html`));
      expect(html + css + js, folder || 'en').toBeLessThan(50 * 1024);
    }
  });

  it('passes the Nu HTML checker with zero errors in every language', async () => {
    expect(await checkHtml(site.output)).toEqual([]);
  });
});

describe('the letter archive', () => {
  it('holds the current letter of every language, each named after its digest', async () => {
    const versions = await readLetterVersions(leopard, markdown);
    const catalogs = await readCatalogs(leopard, 'en');
    for (const catalog of catalogs) {
      const letterFile = catalog.language === 'en' ? 'content/letter.md' : `content/${catalog.language}/letter.md`;
      const sha256 = letterDigest(await readFile(path.join(leopard, letterFile), 'utf8'));
      expect(
        versions.some((version) => version.sha256 === sha256 && version.language === catalog.language),
        `${letterFile} changed: copy it to content/letter-versions/${catalog.language}/${sha256}.md`,
      ).toBe(true);
    }
  });
});

describe('an update without a translation', () => {
  const post = (url: string, lang: string, slug: string): UpdateListItem & { page: { fileSlug: string } } => ({
    url,
    date: new Date('2026-11-24T00:00:00Z'),
    data: { lang, title: url },
    untranslated: false,
    page: { fileSlug: slug },
  });
  const ru = { code: 'ru', name: 'Русский', root: '/ru/', isDefault: false, locale: 'ru' };

  it('is listed in the original, marked, where its translation is missing', () => {
    const posts = [post('/updates/a/', 'en', 'a'), post('/updates/b/', 'en', 'b'), post('/ru/updates/a/', 'ru', 'a')];
    expect(updatesFor(posts, ru, 'en').map((item) => [item.url, item.untranslated])).toEqual([
      ['/ru/updates/a/', false],
      ['/updates/b/', true],
    ]);
  });
});

/** A copy of the amur-leopard fixture petition to build with other content, sharing node_modules. */
const copyProject = (prefix: string) => copyPetitionProject('amur-leopard', prefix);

describe('an update posted in English only', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    const copy = await copyProject('petition-untranslated-');
    await writeFile(
      path.join(copy, 'content/updates/2026-12-01-letter-delivered.md'),
      '---\ntitle: The letter is delivered\ndate: 2026-12-01\n---\nWe delivered the letter.\n',
    );
    site = await buildSite({ signaturesDir: path.join(projectRoot, 'test/fixtures/signatures/none'), root: copy });
  });

  it('is listed in every language, linking the original and saying, in the reader’s language, that it is not translated', async () => {
    for (const [folder, note] of [
      ['ru/', '(ещё не переведено; оригинал — на языке: английский)'],
      ['zh/', '（尚未翻译；原文为英语）'],
    ] as const) {
      const items = [...(await site.dom(`${folder}updates/index.html`)).querySelectorAll('.updates-list li')];
      const item = items.find(
        (li) => li.querySelector('a')?.getAttribute('href') === '/amur-leopard/updates/letter-delivered/',
      );
      expect(item, folder).toBeDefined();
      expect(item!.getAttribute('lang')).toBe('en');
      expect(item!.querySelector(`span[lang="${folder.slice(0, 2)}"]`)?.textContent).toBe(note);
      // The translated post is still listed as the translation.
      expect(
        items.some(
          (li) =>
            li.querySelector('a')?.getAttribute('href') === `/amur-leopard/${folder}updates/what-has-happened-since/`,
        ),
      ).toBe(true);
    }
    expect(await site.read('ru/updates/feed.xml')).not.toContain('The letter is delivered');
    expect(await site.read('updates/feed.xml')).toContain('The letter is delivered');
  });
});

describe('a fork that keeps only English', () => {
  let site: BuiltSite;
  let copy: string;
  beforeAll(async () => {
    copy = await copyProject('petition-english-only-');
    for (const gone of ['content/ru', 'content/zh', 'content/i18n/ru.yml', 'content/i18n/zh.yml'])
      await rm(path.join(copy, gone), { recursive: true });
    await writeDerivedFiles(copy);
    site = await buildSite({ signaturesDir: path.join(projectRoot, 'test/fixtures/signatures/one'), root: copy });
  });

  it('builds one language at the root, with no switch and no translated pages', async () => {
    const pages = await listFiles(site.output, ['.html']);
    expect(pages.filter((page) => /^(ru|zh)\//.test(page))).toEqual([]);
    for (const page of PAGES) {
      const dom = await site.dom(file('', page));
      expect(dom.documentElement.getAttribute('lang'), page).toBe('en');
      expect(dom.querySelector('nav.language-switch'), page).toBeNull();
    }
    expect((await site.dom('sign/index.html')).querySelector('input[name="template"]')?.getAttribute('value')).toBe(
      'sign.yml',
    );
  });
});
