import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFeed } from '@rowanmanning/feed-parser';
import { parse as parseCsv } from 'csv-parse/sync';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { signatureDigest } from '../../scripts/core/tally.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { verify } from '../../scripts/commands/verify.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { buildSite, checkHtml, listFiles, type BuiltSite } from '../helpers/site.ts';
import { drawnListPage } from '../helpers/list-script.ts';
import { readSitemaps } from '../helpers/sitemap.ts';
import { SITEMAP_URL_LIMIT } from '../../scripts/site/sitemap.ts';
import { emptyFormSite, noSignaturesSite, oneSignatureSite, sampleSite } from '../helpers/shared-builds.ts';

const MANY = 1234;

// Started at once; each block waits for its own.
// The builds other files read too (test/helpers/shared-builds.ts), made once a run.
const noSignatures = noSignaturesSite();

describe('a site with no signatures', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    site = await noSignatures;
  });

  it('invites the first signature instead of showing an empty count', async () => {
    const home = await site.dom('index.html');
    expect(home.querySelector('.count')?.textContent).toContain('0');
    expect(home.body.textContent).toContain('Be the first to sign');
    expect((await site.dom('letter/index.html')).querySelector('.tally-sentence')?.textContent).toContain(
      'Be the first to sign',
    );
  });

  it('publishes an empty tally with the digest of nothing', async () => {
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(tally).toMatchObject({ signature_count: 0, signatures_by_country: [], state: 'open', goal: 10000 });
    expect(tally.digest.value).toBe(signatureDigest([]));
  });
});

describe('a site with one signature', () => {
  it('says "1 undersigned from 1 country" and shows the signer in Cyrillic', async () => {
    const site = await oneSignatureSite();
    const letter = await site.dom('letter/index.html');
    expect(letter.querySelector('.tally-sentence')?.textContent).toContain('We, the 1 undersigned from 1 country');
    const home = await site.dom('index.html');
    expect(home.querySelector('.signers .signer-name')?.textContent).toBe('Анна Петрова');
    expect(home.querySelector('.signers')?.textContent).toContain('Russia');
  });
});

describe('a site with many signatures from many countries', () => {
  let site: BuiltSite;
  let directory: string;
  const records = generateSampleRecords(MANY, { seed: 42 });
  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'petition-many-'));
    await writeSignatureFiles(directory, records);
    site = await buildSite({
      signaturesDir: directory,
      // Volumes of 700 over parts of 500: a volume is drawn from parts it holds only some of.
      settings: { signatures_per_page: 500, goal: 1000, delivery_volume_size: 700 },
    });
  });

  /** What `npm run verify` reads beside this site: its signatures, the settings it was built with. */
  const verifyEnv = () => ({
    ...process.env,
    SIGNATURES_DIR: directory,
    PETITION_SETTINGS: path.join(path.dirname(site.output), 'settings.json'),
    PATH_PREFIX: '',
    SITE_URL: '',
    PETITION_REPOSITORY: '',
  });

  it('is what npm run verify expects, each of its two volumes in every language', async () => {
    const result = await verify(['--site', site.output], {
      projectRoot: await petitionProject('amur-leopard'),
      env: verifyEnv(),
    });
    expect(result.out.join('\n')).not.toContain('DIFFERS');
    expect(result.code).toBe(0);
  });

  it('is found by npm run verify when its second volume draws other ranks than the files give', async () => {
    // The site as published, but for one page (read through fetch: no copy of the site).
    const moved = 'ru/letter/delivery/2/index.html';
    const fakeFetch = (async (url: URL | string) => {
      const file = new URL(String(url)).pathname.replace(/^\/petition\//, '');
      const bytes = await readFile(path.join(site.output, file)).catch(() => undefined);
      if (!bytes) return new Response('not found', { status: 404 });
      // Volume 2 of 700 signatures each holds ranks 701 to the last.
      return new Response(
        file === moved ? bytes.toString('utf8').replace('data-first="701"', 'data-first="700"') : bytes,
      );
    }) as typeof fetch;
    const result = await verify(['--site', 'https://pages.example/petition/'], {
      projectRoot: await petitionProject('amur-leopard'),
      env: verifyEnv(),
      fetchImpl: fakeFetch,
    });
    expect(result.code).toBe(1);
    expect(result.out.filter((line) => line.startsWith('DIFFERS'))).toEqual([
      `DIFFERS ${moved}: draws volume 2, ranks 700–${MANY} of ${MANY} (500 a part); the files give volume 2, ranks 701–${MANY} of ${MANY} (500 a part)`,
    ]);
  });

  it('weaves the count and the number of countries into the letter', async () => {
    const countries = new Set(records.map((record) => record.country)).size;
    const letter = await site.dom('letter/index.html');
    expect(letter.querySelector('.tally-sentence')?.textContent).toContain(
      `We, the 1,234 undersigned from ${countries} countries`,
    );
  });

  it('shows progress toward the goal and only the latest signers on the home page', async () => {
    const home = await site.dom('index.html');
    expect(home.querySelector('.goal')?.textContent).toContain('Goal of 1,000 reached');
    expect(home.querySelectorAll('.signers li')).toHaveLength(20);
  });

  it('lists every signature on stable pages numbered from the oldest, newest first on each', async () => {
    const newest = [...records].sort((a, b) => (a.signed_at < b.signed_at ? 1 : -1));
    const pages = await listFiles(path.join(site.output, 'signatures'), ['index.html']);
    expect(pages.filter((page) => /^\d+\//.test(page))).toHaveLength(3);
    const first = await drawnListPage(site.output, 'signatures/1/index.html');
    expect(first.querySelectorAll('.signers li')).toHaveLength(500);
    const latest = await drawnListPage(site.output, 'signatures/index.html');
    const latestItems = latest.querySelectorAll('.signers li');
    expect(latestItems).toHaveLength(MANY - 1000);
    expect(latestItems[0]?.id).toBe(`s${newest[0]!.user_id}`);
    expect(first.querySelector(`#s${newest.at(-1)!.user_id}`)).not.toBeNull();
  });

  it('publishes a tally whose digest anyone can recompute from the files', async () => {
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(tally.signature_count).toBe(MANY);
    expect(tally.digest.value).toBe(signatureDigest(records));
    expect(
      tally.signatures_by_country.reduce((sum: number, c: { signature_count: number }) => sum + c.signature_count, 0),
    ).toBe(MANY);
    expect(
      tally.signatures_by_day.reduce((sum: number, d: { signature_count: number }) => sum + d.signature_count, 0),
    ).toBe(MANY);
    expect(tally.signatures_by_country[0]).toEqual({
      code: expect.stringMatching(/^[A-Z]{2}$/),
      name: expect.any(String),
      signature_count: expect.any(Number),
    });
  });

  it('publishes every signature as compressed CSV, one part per list page listed by an index, with every field the digest covers', async () => {
    const { index, fullCsv, partCsvs } = await site.openData();
    // One CRLF after the last record and nothing more: a stray blank line is an empty row in Python's csv.
    expect(fullCsv.endsWith('\r\n')).toBe(true);
    expect(fullCsv.endsWith('\r\n\r\n') || fullCsv.endsWith('\n\n')).toBe(false);
    const rows = parseCsv(fullCsv, { bom: true, columns: true, skip_empty_lines: false }) as Record<string, string>[];
    expect(rows).toHaveLength(MANY);
    const columns = [
      'user_id',
      'login',
      'name',
      'country',
      'country_name',
      'issue',
      'signed_at',
      'letter_sha256',
      'reason',
      'channel',
      'id',
      'batch',
      'row',
      'collector',
    ];
    expect(Object.keys(rows[0]!)).toEqual(columns);
    expect(index.columns).toEqual(columns);
    expect(rows.every((row) => row.channel === 'github')).toBe(true);
    // Oldest first, so a part changes only when one of its signatures does.
    const times = rows.map((row) => row.signed_at!);
    expect(times).toEqual([...times].sort());
    // The parts, each a CSV of its own with the header, one per list page: every signature once, in order.
    expect(index.parts.map((part) => part.url)).toEqual(['1.csv.gz', '2.csv.gz', '3.csv.gz']);
    const fromParts = partCsvs.flatMap(
      (csv) => parseCsv(csv, { bom: true, columns: true }) as Record<string, string>[],
    );
    expect(fromParts).toEqual(rows);
    expect(index.parts.map(({ first, last, rows }) => [first, last, rows])).toEqual([
      [1, 500, 500],
      [501, 1000, 500],
      [1001, MANY, MANY - 1000],
    ]);
    // No file of all the signatures any more: the parts are the open data.
    await expect(site.read('data/signatures.csv.gz')).rejects.toThrow();
    const tally = JSON.parse(await site.read('data/tally.json'));
    expect(index.signature_count).toBe(MANY);
    expect(index.digest.value).toBe(tally.digest.value);
    // The CSV alone is enough to recompute the published digest. It guards spreadsheet formulas
    // (and cells that start with an apostrophe) with a leading apostrophe; a recount takes exactly one off.
    const unguard = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
    const fromCsv = rows.map((row) => ({
      user_id: Number(row.user_id),
      login: row.login!,
      name: unguard(row.name!),
      country: row.country!,
      issue: Number(row.issue),
      signed_at: row.signed_at!,
      letter_sha256: row.letter_sha256!,
      reason: unguard(row.reason!),
    }));
    expect(signatureDigest(fromCsv)).toBe(tally.digest.value);
  });

  it('keeps the home page under 50 KB of HTML, CSS and JavaScript', async () => {
    const home = await site.read('index.html');
    const dom = await site.dom('index.html');
    let bytes = Buffer.byteLength(home);
    for (const element of [...dom.querySelectorAll('link[rel="stylesheet"], script[src]')]) {
      const url = element.getAttribute('href') ?? element.getAttribute('src')!;
      bytes += Buffer.byteLength(await site.read(url.replace(/^\/amur-leopard\//, '')));
    }
    expect(bytes).toBeLessThan(50 * 1024);
  });

  it('keeps each page of the full list under 200 KB', async () => {
    for (const page of await listFiles(path.join(site.output, 'signatures'), ['.html'])) {
      expect(Buffer.byteLength(await site.read(`signatures/${page}`)), page).toBeLessThan(200 * 1024);
    }
  });

  it('lists every signature once in the printable volumes, oldest first, linked from the delivery page', async () => {
    const index = await site.dom('letter/delivery/index.html');
    const links = [...index.querySelectorAll('.volumes a')].map((a) => a.getAttribute('href'));
    expect(links).toHaveLength(2); // 1,234 in volumes of 700
    const { fullCsv } = await site.openData();
    const names = (parseCsv(fullCsv.slice(1), { columns: true }) as { name: string }[]).map((row) =>
      row.name.replace(/^'/, ''),
    );
    let rows = 0;
    for (const [i, link] of links.entries()) {
      expect(link).toBe(`/amur-leopard/letter/delivery/${i + 1}/`);
      // The page as published holds no rows; the script draws them from the open data's parts.
      const frame = await site.dom(`letter/delivery/${i + 1}/index.html`);
      expect(frame.querySelectorAll('.delivery-list tbody tr')).toHaveLength(0);
      const volume = await drawnListPage(site.output, `letter/delivery/${i + 1}/index.html`);
      const drawn = [...volume.querySelectorAll('.delivery-list tbody tr')];
      const ranks = drawn.map((tr) => Number(tr.querySelector('td')!.textContent));
      expect(ranks[0]).toBe(rows + 1);
      expect(ranks).toEqual(ranks.map((_, j) => rows + 1 + j));
      expect(drawn.map((tr) => tr.querySelector('td[lang=""]')!.textContent)).toEqual(
        names.slice(rows, rows + ranks.length),
      );
      // drawnListPage throws when the drawing failed or never finished.
      rows += ranks.length;
    }
    expect(rows).toBe(MANY);
    expect(index.querySelectorAll('.delivery-list')).toHaveLength(0);
  });

  it('lets the build tests read a drawn list only when the script drew it: without the open data, the drawing fails with the page words', async () => {
    const copy = await mkdtemp(path.join(os.tmpdir(), 'petition-undrawn-'));
    try {
      // The pages and what drawing them reads (their words and script), not the open data's parts.
      const pages = ['signatures/1/index.html', 'letter/delivery/1/index.html'];
      for (const file of [...pages, 'signatures/words.js', 'assets/js/signature-list.js']) {
        await mkdir(path.dirname(path.join(copy, file)), { recursive: true });
        await copyFile(path.join(site.output, file), path.join(copy, file));
      }
      await expect(drawnListPage(copy, 'signatures/1/index.html')).rejects.toThrow(/the list script gave up: ".+"/);
      await expect(drawnListPage(copy, 'letter/delivery/1/index.html')).rejects.toThrow(/gave up/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("marks where each list page starts in a volume, and links a volume's parts of the open data for readers without JavaScript", async () => {
    const first = await drawnListPage(site.output, 'letter/delivery/1/index.html');
    expect([...first.querySelectorAll('.delivery-list tr[id]')].map((tr) => tr.id)).toEqual(['r1', 'r501']);
    const second = await drawnListPage(site.output, 'letter/delivery/2/index.html');
    expect([...second.querySelectorAll('.delivery-list tr[id]')].map((tr) => tr.id)).toEqual(['r1001']);
    const frame = await site.dom('letter/delivery/2/index.html');
    expect([...frame.querySelectorAll('#list-note a')].map((a) => a.getAttribute('href'))).toEqual([
      '/amur-leopard/data/signatures/2.csv.gz',
      '/amur-leopard/data/signatures/3.csv.gz',
    ]);
    // A list page's note names its signatures' ranks beside the link to its part.
    const list = await site.dom('signatures/3/index.html');
    expect(list.querySelector('#list-note')?.textContent).toContain('1,001');
  });

  it('loads nothing from another origin', async () => {
    for (const page of await listFiles(site.output, ['.html'])) {
      const dom = await site.dom(page);
      for (const element of [
        ...dom.querySelectorAll(
          'script[src], link[href]:not([rel="canonical"]):not([rel="alternate"]), img[src], iframe, source[src]',
        ),
      ]) {
        const url = element.getAttribute('src') ?? element.getAttribute('href') ?? '';
        expect(url, `${page}: ${element.outerHTML}`).toMatch(/^\/(?!\/)/);
      }
    }
  });

  it('passes the Nu HTML checker with zero errors on every page', async () => {
    const errors = await checkHtml(site.output);
    expect(errors.map((error) => `${error.url}:${error.lastLine}: ${error.message}`)).toEqual([]);
  });

  it('publishes Atom and JSON feeds of the updates that a feed reader understands', async () => {
    const atom = parseFeed(await site.read('updates/feed.xml'));
    expect(atom.title).toContain('updates');
    expect(atom.items.length).toBeGreaterThan(0);
    expect(atom.items[0]!.url).toMatch(/^https:\/\/petition-as-code\.github\.io\/amur-leopard\/updates\//);
    const json = JSON.parse(await site.read('updates/feed.json'));
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.items[0].url).toBe(atom.items[0]!.url);
    expect(json.feed_url).toBe('https://petition-as-code.github.io/amur-leopard/updates/feed.json');
  });

  it('gives every page a canonical URL on the published site and a sitemap lists them', async () => {
    const home = await site.dom('index.html');
    expect(home.querySelector('link[rel="canonical"]')?.getAttribute('href')).toBe(
      'https://petition-as-code.github.io/amur-leopard/',
    );
    expect(home.querySelector('meta[property="og:url"]')?.getAttribute('content')).toBe(
      'https://petition-as-code.github.io/amur-leopard/',
    );
    const { locations } = await readSitemaps(site, 'https://petition-as-code.github.io/amur-leopard/');
    expect(locations).toContain('https://petition-as-code.github.io/amur-leopard/letter/');
    expect(await site.read('404.html')).toContain('Page not found');
  });

  it("lists the pages in the sitemap in URL order, not by their files' dates, so every checkout builds the same one", async () => {
    const { locations } = await readSitemaps(site, 'https://petition-as-code.github.io/amur-leopard/');
    // The numbered list pages and the volumes come last, each language's in page order.
    const pages = locations.filter((url) => !/\/(signatures|delivery)\/\d+\/$/.test(url));
    expect(locations.filter((url) => /\/delivery\/\d+\/$/.test(url))).toEqual(
      ['', 'ru/', 'zh/'].flatMap((language) =>
        [1, 2].map((n) => `https://petition-as-code.github.io/amur-leopard/${language}letter/delivery/${n}/`),
      ),
    );
    expect(pages.length).toBeGreaterThan(10);
    expect(pages).toEqual([...pages].sort());
  });

  it("publishes /sitemap.xml as an index of sitemaps at the site's root, none over the 50,000 addresses a search engine reads", async () => {
    const base = 'https://petition-as-code.github.io/amur-leopard/';
    const { sitemaps, counts } = await readSitemaps(site, base);
    // A sitemap lists only addresses under its own folder: every one sits at the site's root.
    expect(sitemaps).toEqual([`${base}sitemap-pages.xml`, `${base}sitemap-signatures-1.xml`]);
    for (const [sitemap, count] of counts) {
      expect(count, sitemap).toBeGreaterThan(0);
      expect(count, sitemap).toBeLessThanOrEqual(SITEMAP_URL_LIMIT);
    }
  });

  it('gives each page of the list one canonical URL, its own, and lists every one in the sitemap', async () => {
    const base = 'https://petition-as-code.github.io/amur-leopard/';
    const { locations } = await readSitemaps(site, base);
    expect(new Set(locations).size).toBe(locations.length);
    const canonicals = new Map<string, string>();
    let redirects = 0;
    for (const page of await listFiles(site.output, ['.html'])) {
      if (/(^|\/)404\.html$/.test(page)) continue;
      const dom = await site.dom(page);
      // The receipt pages are for receipt links only: not indexed, not in the sitemap.
      if (dom.querySelector('meta[name="robots"]')?.getAttribute('content') === 'noindex') continue;
      const href = dom.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? '';
      // A former letter digest's page sends the reader on, and names the page it sends them to.
      const refresh = dom.querySelector('meta[http-equiv="refresh"]')?.getAttribute('content');
      if (refresh) {
        expect(refresh, page).toBe(`0; url=${href}`);
        expect(locations, page).not.toContain(`${base}${page.replace(/index\.html$/, '')}`);
        redirects += 1;
        continue;
      }
      canonicals.set(page, href);
    }
    expect(redirects).toBeGreaterThan(0);
    // /signatures/ (and each language's, /ru/signatures/) shows the newest page and defers to its
    // numbered URL, which stays put.
    const lists = [...canonicals.keys()].filter((page) => /(^|\/)signatures\/index\.html$/.test(page));
    expect(lists).toContain('signatures/index.html');
    for (const page of lists) {
      expect(canonicals.get(page), page).toBe(`${base}${page.replace(/index\.html$/, '')}3/`);
      canonicals.delete(page);
    }
    for (const [page, href] of canonicals) expect(href, page).toBe(`${base}${page.replace(/index\.html$/, '')}`);
    expect([...canonicals.values()].sort()).toEqual([...locations].sort());
    expect(locations.filter((location) => /\/signatures\/\d+\/$/.test(location))).toHaveLength(3 * lists.length);
  });
});

describe('the delivery version of the letter', () => {
  it('says, in print too, when the letter was written and that its recipients have left office', async () => {
    const site = await noSignatures;
    const note = (await site.dom('letter/delivery/index.html')).querySelector('.dated-note');
    expect(note?.textContent).toMatch(/written about 2008–2012/);
    expect(note?.textContent).toMatch(/Both recipients have since left office/);
    expect(note?.closest('.no-print')).toBeNull();
    expect(note?.classList.contains('no-print')).toBe(false);
    const web = (await site.dom('letter/index.html')).querySelector('.dated-note');
    expect(web?.textContent).toMatch(/Both recipients have since left office/);
  });
});

describe('a closed petition', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    // Closed by its organisers before its closing date, with three list pages and a receipt page
    // a signer: the closed site test/browser/accessibility.test.ts reads (test/helpers/shared-builds.ts).
    site = await sampleSite('closed');
  });

  it('says it is closed wherever a signer would look, and offers no form', async () => {
    for (const page of ['index.html', 'sign/index.html', 'letter/index.html', 'signatures/index.html']) {
      const dom = await site.dom(page);
      expect(dom.body.textContent, page).toContain('This petition is closed');
      expect(dom.querySelector('form.sign-form'), page).toBeNull();
    }
    expect(JSON.parse(await site.read('data/tally.json'))).toMatchObject({ state: 'closed', is_open: false });
  });

  it('passes the Nu HTML checker with zero errors on every page, closed banner included', async () => {
    const errors = await checkHtml(site.output);
    expect(errors.map((error) => `${error.url}:${error.lastLine}: ${error.message}`)).toEqual([]);
  });

  it('says when it closed once the closing date has passed', async () => {
    const past = await emptyFormSite({ closing: '2020-01-31' });
    const home = await past.dom('index.html');
    expect(home.querySelector('.closed-banner')?.textContent).toContain('It closed at the end of 31 January 2020');
  });
});
