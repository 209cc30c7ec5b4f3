/**
 * The pictures in the built site: share cards behind og:image that carry the count of
 * data/tally.json, a map that shades exactly the countries that signed, the chart, the counter
 * badge and its snippet, the poster's QR code, the milestone and the lead image; and a fork's
 * title, colours and image flowing into all of them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import jsQRModule from 'jsqr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { formatDate } from '../../scripts/core/format.ts';
import { renderPixels, renderPng, shareCardSvg } from '../../scripts/site/pictures/card.ts';
import { axisDate } from '../../scripts/site/pictures/chart.ts';
import { shareCardInput } from '../../scripts/site/pictures/eleventy.ts';
import { cardImage } from '../../scripts/site/pictures/lead-image.ts';
import { latestMilestone } from '../../scripts/site/pictures/milestones.ts';
import { mappedCountryCodes } from '../../scripts/site/pictures/world-map.ts';
import { eleventyArguments } from '../../scripts/tooling/eleventy-command.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { baseSettings, buildSite, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { noSignaturesSite } from '../helpers/shared-builds.ts';

const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

const run = promisify(execFile);
const BASE = 'https://petition-as-code.github.io/amur-leopard/';
const records = generateSampleRecords(640, { seed: 11 });
const FORK = {
  title: 'Save the Far Eastern Forest',
  repository: 'forest-friends/far-east',
  site_url: 'https://forest-friends.github.io',
  path_prefix: '/far-east/',
  goal: 500,
  image: 'assets/favicon.png',
  image_alt: 'The petition’s little icon',
  image_credit: 'Forest Friends',
  image_licence: 'CC BY 4.0',
  accent_colour: '#005f73',
  accent_colour_dark: '#94d2bd',
};
const FORK_BASE = 'https://forest-friends.github.io/far-east/';

const temporary: string[] = [];
let signatures: string;
let site: BuiltSite;
let fork: BuiltSite;
let bare: BuiltSite;

beforeAll(async () => {
  signatures = await mkdtemp(path.join(os.tmpdir(), 'petition-pictures-'));
  temporary.push(signatures);
  await writeSignatureFiles(signatures, records);
  [site, fork, bare] = await Promise.all([
    buildSite({ signaturesDir: signatures }),
    buildSite({ signaturesDir: signatures, settings: FORK }),
    // No signature and no image: the empty site other files read too (test/helpers/shared-builds.ts).
    noSignaturesSite(),
  ]);
  temporary.push(...[site, fork, bare].map((built) => path.dirname(built.output)));
});

afterAll(async () => {
  await Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** The og:image of a page, checked to be absolute on `base`, and the file it names. */
async function cardOf(built: BuiltSite, page: string, base: string) {
  const dom = await built.dom(page);
  const url = dom.querySelector('meta[property="og:image"]')?.getAttribute('content') ?? '';
  expect(url.startsWith(base), `${page}: ${url}`).toBe(true);
  expect(dom.querySelector('meta[name="twitter:image"]')?.getAttribute('content')).toBe(url);
  expect(dom.querySelector('meta[name="twitter:card"]')?.getAttribute('content')).toBe('summary_large_image');
  const png = await readFile(path.join(built.output, url.slice(base.length)));
  return { url, png, alt: dom.querySelector('meta[property="og:image:alt"]')?.getAttribute('content') ?? '' };
}

describe('share cards', () => {
  it('give the home page, the letter and each update a 1200×630 PNG of their own, and other pages the home page’s', async () => {
    const home = await cardOf(site, 'index.html', BASE);
    const letter = await cardOf(site, 'letter/index.html', BASE);
    const update = await cardOf(site, 'updates/what-has-happened-since/index.html', BASE);
    expect(new Set([home.url, letter.url, update.url]).size).toBe(3);
    for (const card of [home, letter, update]) {
      expect(card.png.readUInt32BE(16)).toBe(1200);
      expect(card.png.readUInt32BE(20)).toBe(630);
    }
    expect((await cardOf(site, 'how-it-works/index.html', BASE)).url).toBe(home.url);
    expect((await cardOf(site, 'signatures/countries/index.html', BASE)).url).toBe(home.url);
  });

  it('show the count of data/tally.json and the progress toward the goal', async () => {
    const tally = JSON.parse(await site.read('data/tally.json'));
    const home = await cardOf(site, 'index.html', BASE);
    expect(home.alt).toBe(
      `Save the Amur Leopard: ${tally.signature_count.toLocaleString('en')} signatures, ${tally.goal_percent}% of the goal of 10,000.`,
    );
    // The published PNG is exactly the card drawn for the tally's count, and not the card of one more.
    const settings = resolveSettings({ ...baseSettings, path_prefix: '/amur-leopard/' });
    const image = cardImage(
      await readFile(path.join(await petitionProject('amur-leopard'), 'content', settings.image)),
      'svg',
    );
    const drawn = (count: number) =>
      renderPng(
        shareCardSvg(
          shareCardInput({ settings, tally: { ...tally, signature_count: count }, baseUrl: BASE, image }, '/', ''),
        ),
      );
    expect(home.png.equals(drawn(tally.signature_count))).toBe(true);
    expect(home.png.equals(drawn(tally.signature_count + 1))).toBe(false);
  });

  it('are drawn once for all the builds that share a folder of drawn cards (PETITION_PICTURE_CACHE), byte for byte', async () => {
    // The run's folder (test/global-setup.ts), which the site of beforeAll drew its cards into:
    // one build more here, not two, so that a busy machine does not run this test past its timeout.
    const folder = process.env.PETITION_PICTURE_CACHE;
    if (!folder)
      throw new Error('PETITION_PICTURE_CACHE is not set: run the tests with vitest (test/global-setup.ts sets it).');
    // Cards by the SHA-256 of their bytes: vitest compares Buffers byte by byte, seconds for a site's cards.
    const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    const cardsOf = async (built: BuiltSite) => {
      const names = (await readdir(path.join(built.output, 'share'))).filter((name) => name.endsWith('.png')).sort();
      return Promise.all(
        names.map(async (name) => {
          const png = await readFile(path.join(built.output, 'share', name));
          return [name, digest(png), png.length] as const;
        }),
      );
    };
    /** The folder's file of each card, by its bytes, with its inode: a card drawn again is a new file. */
    const keptFilesOf = async (cards: (readonly [string, string, number])[]) => {
      const wanted = new Set(cards.map(([, sha]) => sha));
      const sizes = new Set(cards.map(([, , size]) => size));
      const kept = new Map<string, number>();
      for (const name of await readdir(folder)) {
        // Other builds of the run write beside this test: a card is written as a temporary file
        // renamed into place, so only finished cards are looked at.
        if (!name.endsWith('.png')) continue;
        const file = path.join(folder, name);
        const about = await stat(file);
        // The folder holds the cards of every build of the run: read only those of a card's size.
        if (!sizes.has(about.size)) continue;
        const sha = digest(await readFile(file));
        if (wanted.has(sha)) kept.set(sha, about.ino);
      }
      return kept;
    };
    const published = await cardsOf(site);
    const kept = await keptFilesOf(published);
    // Every card the site published was kept in the folder.
    expect(kept.size).toBe(new Set(published.map(([, sha]) => sha)).size);
    const second = await buildSite({ signaturesDir: signatures, env: { PETITION_CARD_CACHE_TEST: 'second' } });
    temporary.push(path.dirname(second.output));
    // The second build drew none of them again (no file written or replaced) and published the same cards.
    expect(await keptFilesOf(published)).toEqual(kept);
    expect(await cardsOf(second)).toEqual(published);
  });

  it('change their address when the count changes, so shared links show the new count', async () => {
    const [withSignatures, empty] = [await cardOf(site, 'index.html', BASE), await cardOf(bare, 'index.html', BASE)];
    expect(withSignatures.url).not.toBe(empty.url);
    expect(empty.alt).toContain(': 0 signatures, 0% of the goal');
  });
});

describe('the world map', () => {
  it('shades every mapped country that signed, and no other', async () => {
    const tally = JSON.parse(await site.read('data/tally.json'));
    const signed = new Set<string>(tally.signatures_by_country.map((country: { code: string }) => country.code));
    const page = await site.dom('signatures/countries/index.html');
    const map = page.querySelector('svg.world-map')!;
    const shaded = [...map.querySelectorAll('a')].map((link) => link.getAttribute('href')!.replace('#country-', ''));
    expect(new Set(shaded)).toEqual(new Set([...signed].filter((code) => mappedCountryCodes().has(code))));
    for (const link of map.querySelectorAll('a')) {
      expect(link.querySelector('path')?.getAttribute('class')).toMatch(/^s[1-5]$/);
      // Each country links to its row of the table, which gives the same count.
      const row = page.getElementById(link.getAttribute('href')!.slice(1));
      expect(link.getAttribute('aria-label')).toBe(
        `${row?.querySelector('td')?.textContent}: ${row?.querySelector('.num')?.textContent} signatures`,
      );
    }
    const unsigned = [...mappedCountryCodes()].find((code) => !signed.has(code))!;
    expect(map.querySelector(`a[href="#country-${unsigned}"]`)).toBeNull();
    expect(map.innerHTML).toContain('no signatures yet</title>');
  });

  it('is previewed on the home page as a picture that links to the countries page', async () => {
    const home = await site.dom('index.html');
    const preview = home.querySelector('.map-preview a');
    expect(preview?.getAttribute('href')).toBe('/amur-leopard/signatures/countries/');
    const src = preview?.querySelector('img')?.getAttribute('src') ?? '';
    expect(src).toBe('/amur-leopard/signatures/map.svg');
    expect(preview?.querySelector('img')?.getAttribute('alt')).toMatch(
      /^World map of signatures by country: 640 signatures/,
    );
    const svg = await site.read('signatures/map.svg');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('prefers-color-scheme:dark');
  });
});

describe('the chart over time', () => {
  it('is on the countries page, with its dates, counts and summary in text', async () => {
    const tally = JSON.parse(await site.read('data/tally.json'));
    const chart = (await site.dom('signatures/countries/index.html')).querySelector('svg.time-chart')!;
    const days = tally.signatures_by_day;
    const texts = [...chart.querySelectorAll('text')].map((text) => text.textContent);
    expect(texts).toContain(axisDate(days[0].date));
    expect(texts).toContain(axisDate(days.at(-1).date));
    expect(chart.querySelector('desc')?.textContent).toContain('640 signatures in total');
  });
});

describe('the count', () => {
  it('says which milestone was passed last, and when', async () => {
    const tally = JSON.parse(await site.read('data/tally.json'));
    const milestone = latestMilestone(tally.signatures_by_day, tally.goal)!;
    expect(milestone.value).toBe(500);
    const text = (await site.dom('index.html')).querySelector('.progress .milestone')?.textContent;
    expect(text).toBe(`Passed 500 on ${formatDate(milestone.date)}.`);
    expect((await fork.dom('index.html')).querySelector('.milestone')?.textContent).toMatch(
      /^Reached the goal of 500 on /,
    );
  });
});

describe('the counter badge', () => {
  it('shows the count of data/tally.json, and How it works gives the snippet that embeds it', async () => {
    const badge = await site.read('badge.svg');
    expect(badge).toContain('>640 signatures</text>');
    const page = await site.dom('how-it-works/index.html');
    const snippet = page.querySelector('#counter ~ pre code')?.textContent ?? '';
    expect(snippet).toBe(
      `<a href="${BASE}"><img src="${BASE}badge.svg" width="${/width="(\d+)"/.exec(badge)![1]}" height="28" alt="Sign the petition “Save the Amur Leopard”: see how many have signed"></a>`,
    );
    expect(page.querySelector('img[src="/amur-leopard/badge.svg"]')).not.toBeNull();
  });
});

describe('the poster', () => {
  it('has a QR code that scans to the sign page, the count and the lead image with its credit', async () => {
    const poster = await site.dom('poster/index.html');
    const svg = poster.querySelector('.poster svg.qr-code')!.outerHTML;
    const { pixels, width, height } = renderPixels(svg, 600);
    expect(jsQR(new Uint8ClampedArray(pixels), width, height)?.data).toBe(`${BASE}sign/`);
    const file = await site.read('poster/qr.svg');
    // The file to download is the same code.
    expect(/ d="([^"]+)"/.exec(file)?.[1]).toBe(/ d="([^"]+)"/.exec(svg)?.[1]);
    expect(poster.querySelector('.poster-count strong')?.textContent).toBe('640');
    expect(poster.querySelector('.poster img')?.getAttribute('src')).toBe(
      '/amur-leopard/assets/images/amur-leopard.svg',
    );
    expect(poster.querySelector('.poster-credit')?.textContent).toContain('(CC0 1.0)');
  });
});

describe('a fork’s settings', () => {
  it('put its title, colour and count on its share card', async () => {
    const home = await cardOf(fork, 'index.html', FORK_BASE);
    expect(home.alt).toBe('Save the Far Eastern Forest: 640 signatures, 100% of the goal of 500.');
    const settings = resolveSettings({ ...baseSettings, ...FORK });
    const image = cardImage(await readFile(path.join(projectRoot, 'content/assets/favicon.png')), 'png');
    const tally = JSON.parse(await fork.read('data/tally.json'));
    const input = shareCardInput({ settings, tally, baseUrl: FORK_BASE, image }, '/', '');
    expect(input).toMatchObject({
      headline: FORK.title,
      accent: '#005f73',
      address: 'forest-friends.github.io/far-east',
    });
    expect(home.png.equals(renderPng(shareCardSvg(input)))).toBe(true);
  });

  it('put its image, with its size, alt text and credit, on the home page and the poster', async () => {
    const home = await fork.dom('index.html');
    const img = home.querySelector('.lead-image img');
    expect(img?.getAttribute('src')).toBe('/far-east/assets/favicon.png');
    expect([img?.getAttribute('width'), img?.getAttribute('height')]).toEqual(['64', '64']);
    expect(img?.getAttribute('alt')).toBe(FORK.image_alt);
    expect(home.querySelector('.lead-image figcaption')?.textContent).toBe('Forest Friends (CC BY 4.0)');
    expect((await fork.dom('poster/index.html')).querySelector('.poster img')?.getAttribute('src')).toBe(
      '/far-east/assets/favicon.png',
    );
  });

  it('colour its map, chart, badge and poster', async () => {
    expect(await fork.read('badge.svg')).toContain('fill="#005f73"');
    expect(await fork.read('badge.svg')).toContain('>Save the Far Eastern Forest</text>');
    const countries = await fork.read('signatures/countries/index.html');
    expect(countries).toContain('--map-5:#005f73');
    expect(countries).toContain('--map-5:#94d2bd');
    expect(countries).toContain('--chart-accent:#005f73');
    expect(await fork.read('poster/index.html')).toContain('fill="#005f73"');
    const poster = await fork.dom('poster/index.html');
    const { pixels, width, height } = renderPixels(poster.querySelector('svg.qr-code')!.outerHTML, 600);
    expect(jsQR(new Uint8ClampedArray(pixels), width, height)?.data).toBe(`${FORK_BASE}sign/`);
  });

  it('show no picture and no credit when the settings name no image', async () => {
    const home = await bare.dom('index.html');
    expect(home.querySelector('.lead-image')).toBeNull();
    expect((await bare.dom('poster/index.html')).querySelector('.poster img, .poster-credit')).toBeNull();
    expect(home.querySelector('.map-preview')).toBeNull();
    expect((await cardOf(bare, 'index.html', BASE)).png.readUInt32BE(16)).toBe(1200);
  });
});

describe('a lead image that does not exist', () => {
  it('stops the build with a message that names the missing file', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'petition-missing-image-'));
    temporary.push(work);
    const settingsPath = path.join(work, 'settings.json');
    await writeFile(settingsPath, JSON.stringify({ ...baseSettings, image: 'assets/images/missing.png' }));
    const failed = await run(process.execPath, eleventyArguments({ output: path.join(work, '_site') }), {
      cwd: await petitionProject('amur-leopard'),
      env: { ...process.env, SIGNATURES_DIR: signatures, PETITION_SETTINGS: settingsPath },
    }).then(
      () => 'the build succeeded',
      (error: { stderr?: string }) => error.stderr ?? String(error),
    );
    expect(failed).toContain('content/assets/images/missing.png does not exist');
  });
});
