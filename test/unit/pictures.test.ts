/**
 * The pictures' pure functions: the map shades the countries that signed, the chart and the
 * milestone follow the days, the share card and the badge carry the count and the settings,
 * and the QR code scans back to the address it was made for.
 */
import jsQRModule from 'jsqr';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { counterBadgeSvg, counterEmbedHtml } from '../../scripts/site/pictures/badge.ts';
import { readFile } from 'node:fs/promises';
import * as fontkit from 'fontkit';
import { subsetFont } from '../../scripts/site/pictures/font-subset.ts';
import {
  CARD_HEIGHT,
  CARD_WIDTH,
  CJK_CARD_FONTS,
  renderPixels,
  renderPng,
  shareCardAlt,
  shareCardSvg,
} from '../../scripts/site/pictures/card.ts';
import { everyDay, niceScale, signaturesChartSvg } from '../../scripts/site/pictures/chart.ts';
import { imageSize } from '../../scripts/site/pictures/lead-image.ts';
import { latestMilestone, roundNumbers } from '../../scripts/site/pictures/milestones.ts';
import { qrCodeSvg } from '../../scripts/site/pictures/qr.ts';
import { estimateTextWidth, wrapText } from '../../scripts/site/pictures/svg.ts';
import { mappedCountryCodes, shadeStep, worldMapSvg, MAP_STEPS } from '../../scripts/site/pictures/world-map.ts';

// jsqr is CommonJS typed as an ES module: its default export is the function or holds it.
const jsQR = ((jsQRModule as unknown as { default?: unknown }).default ?? jsQRModule) as unknown as (
  data: Uint8ClampedArray,
  width: number,
  height: number,
) => { data: string } | null;

const colours = { accent: '#8a4b00', accentDark: '#f0b05a' };

function svgDocument(svg: string): Document {
  return parseHTML(`<!doctype html><html><body>${svg}</body></html>`).document as unknown as Document;
}

/** Width and height from a PNG's header. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the world map', () => {
  const byCountry = [
    { code: 'RU', name: 'Russia', signature_count: 1200 },
    { code: 'CN', name: 'China', signature_count: 40 },
    { code: 'DE', name: 'Germany', signature_count: 1 },
    { code: 'SG', name: 'Singapore', signature_count: 3 },
  ];

  it('shades a country with signatures and leaves one without signatures unshaded', () => {
    const map = worldMapSvg(byCountry, { ...colours, countryHref: (code) => `#country-${code}` });
    const dom = svgDocument(map.svg);
    const russia = dom.querySelector('a[href="#country-RU"] path');
    expect(russia?.getAttribute('class')).toBe(`s${MAP_STEPS}`);
    expect(dom.querySelector('a[href="#country-DE"] path')?.getAttribute('class')).toBe('s1');
    const france = [...dom.querySelectorAll('path')].find((path) =>
      path.querySelector('title')?.textContent?.startsWith('France'),
    );
    expect(france).toBeDefined();
    expect(france!.getAttribute('class') ?? '').toBe('');
    expect(france?.querySelector('title')?.textContent).toBe('France: no signatures yet');
    expect(map.shaded.sort()).toEqual(['CN', 'DE', 'RU']);
  });

  it('labels each country with its name and count, and lists those too small to draw', () => {
    const map = worldMapSvg(byCountry, { ...colours, countryHref: (code) => `#country-${code}` });
    const dom = svgDocument(map.svg);
    const link = dom.querySelector('a[href="#country-RU"]');
    expect(link?.getAttribute('aria-label')).toBe('Russia: 1,200 signatures');
    expect(link?.querySelector('title')?.textContent).toBe('Russia: 1,200 signatures');
    expect(link?.querySelector('text')?.textContent).toBe('Russia: 1,200 signatures');
    expect(map.notDrawn).toEqual(['SG']);
    expect(dom.querySelector('svg > title')?.textContent).toContain('1,244 signatures from 4 countries');
  });

  it('draws the countries of the world, Kosovo included and Antarctica left out', () => {
    const codes = mappedCountryCodes();
    expect(codes.size).toBeGreaterThan(170);
    for (const code of ['RU', 'CN', 'US', 'BR', 'AU', 'ZA', 'XK']) expect(codes.has(code), code).toBe(true);
    expect(codes.has('AQ')).toBe(false);
  });

  it('spreads shades over orders of magnitude, from the palest for one signature to the darkest for the most', () => {
    expect(shadeStep(0, 1000)).toBe(0);
    expect(shadeStep(1, 1000)).toBe(1);
    expect(shadeStep(1000, 1000)).toBe(MAP_STEPS);
    expect(shadeStep(1, 1)).toBe(MAP_STEPS);
    const steps = [1, 3, 10, 30, 100, 300, 1000].map((count) => shadeStep(count, 1000));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(MAP_STEPS);
  });

  it('follows the accent colours of the settings in the light and the dark scheme', () => {
    const { svg } = worldMapSvg(byCountry, { accent: '#005f73', accentDark: '#94d2bd' });
    expect(svg).toContain('--map-5:#005f73');
    expect(svg).toMatch(/@media \(prefers-color-scheme:dark\)\{\.world-map\{[^}]*--map-5:#94d2bd/);
  });

  it('stays under 150 KB gzipped with every country shaded', async () => {
    const { gzipSync } = await import('node:zlib');
    const all = [...mappedCountryCodes()].map((code, index) => ({ code, name: code, signature_count: index + 1 }));
    const { svg } = worldMapSvg(all, { ...colours, countryHref: (code) => `#country-${code}` });
    expect(gzipSync(svg).length).toBeLessThan(150 * 1024);
  });
});

describe('the chart of signatures over time', () => {
  const days = [
    { date: '2026-03-01', signature_count: 5 },
    { date: '2026-03-04', signature_count: 20 },
    { date: '2026-03-02', signature_count: 1 },
  ];

  it('counts every day between the first and the last, quiet days as zero', () => {
    expect(everyDay(days).map((day) => day.signature_count)).toEqual([5, 1, 0, 20]);
  });

  it('writes its axis labels, dates and summary as text', () => {
    const svg = signaturesChartSvg(days, colours)!;
    const dom = svgDocument(svg);
    const texts = [...dom.querySelectorAll('text')].map((text) => text.textContent);
    expect(texts).toContain('Total signatures');
    expect(texts).toContain('Signatures per day');
    expect(texts).toContain('1 Mar 2026');
    expect(texts).toContain('4 Mar 2026');
    expect(texts).toContain('30');
    expect(dom.querySelector('svg')?.getAttribute('role')).toBe('img');
    expect(dom.querySelector('desc')?.textContent).toBe(
      'From 1 March 2026 to 4 March 2026, 26 signatures in total. The busiest day was 4 March 2026, with 20.',
    );
    expect(dom.querySelectorAll('rect.bar')).toHaveLength(3);
  });

  it('draws nothing before the first signature', () => {
    expect(signaturesChartSvg([], colours)).toBeUndefined();
  });

  it('chooses round axis steps', () => {
    expect(niceScale(26)).toEqual({ top: 30, step: 10 });
    expect(niceScale(3000)).toEqual({ top: 3000, step: 1000 });
    expect(niceScale(1)).toEqual({ top: 1, step: 1 });
  });
});

describe('the latest milestone', () => {
  it('says which round number was passed last, and on which day', () => {
    expect(roundNumbers(1000)).toEqual([10, 25, 50, 100, 250, 500, 1000]);
    const days = [
      { date: '2026-03-01', signature_count: 600 },
      { date: '2026-03-03', signature_count: 450 },
      { date: '2026-03-02', signature_count: 10 },
    ];
    expect(latestMilestone(days, 10000)).toEqual({ value: 1000, date: '2026-03-03', isGoal: false });
  });

  it('announces the goal once it is reached', () => {
    const days = [
      { date: '2026-03-01', signature_count: 600 },
      { date: '2026-03-02', signature_count: 150 },
    ];
    expect(latestMilestone(days, 700)).toEqual({ value: 700, date: '2026-03-02', isGoal: true });
  });

  it('has nothing to announce below ten signatures', () => {
    expect(latestMilestone([{ date: '2026-03-01', signature_count: 9 }], 100)).toBeUndefined();
  });
});

describe('the share card', () => {
  const input = {
    kicker: 'Sign the petition',
    headline: 'Save the Amur Leopard',
    count: 1234,
    goal: 10000,
    accent: '#8a4b00',
    address: 'example.github.io/leopard',
  };

  it('is a 1200×630 PNG', () => {
    expect(pngSize(renderPng(shareCardSvg(input)))).toEqual({ width: CARD_WIDTH, height: CARD_HEIGHT });
  });

  it('shows the title, the count, the progress and the address', () => {
    const svg = shareCardSvg(input);
    expect(svg).toContain('>1,234 signatures<');
    expect(svg).toContain('>12% of 10,000<');
    expect(svg).toContain('>example.github.io/leopard<');
    expect(svg).toContain('fill="#8a4b00"');
    expect(shareCardAlt(input)).toBe('Save the Amur Leopard: 1,234 signatures, 12% of the goal of 10,000.');
  });

  it('draws a different picture when the count changes', () => {
    expect(renderPng(shareCardSvg({ ...input, count: 1235 })).equals(renderPng(shareCardSvg(input)))).toBe(false);
  });

  it('draws a Chinese headline in bold, with the CJK face cut to the card’s own characters', async () => {
    const chinese = {
      ...input,
      kicker: '拯救远东豹',
      headline: '签署公开信',
      address: 'example.github.io/leopard/zh/',
    };
    const svg = shareCardSvg(chinese);
    // The headline's ink against the same card with the headline asked for in the regular weight.
    const ink = (picture: string) => {
      const { pixels, width } = renderPixels(picture, CARD_WIDTH);
      let dark = 0;
      for (let y = 80; y < 170; y += 1)
        for (let x = 60; x < 700; x += 1) if (pixels[(y * width + x) * 4]! < 100) dark += 1;
      return dark;
    };
    const regular = svg.replace(
      /font-family="Noto Sans S Chinese Bold, DejaVu Sans" font-weight="700"/,
      'font-family="Noto Sans S Chinese Regular, DejaVu Sans" font-weight="400"',
    );
    expect(regular).not.toBe(svg);
    expect(ink(svg)).toBeGreaterThan(ink(regular) * 1.2);
    // The subset a card is drawn with: a few kilobytes of the 8 MB face, named by its weight.
    const bold = subsetFont(await readFile(CJK_CARD_FONTS[1]!), svg);
    expect(bold.length).toBeLessThan(100_000);
    const face = fontkit.create(bold) as fontkit.Font;
    expect(face.familyName).toBe('Noto Sans S Chinese Bold');
    for (const character of '签署公开信拯救远东豹')
      expect(face.hasGlyphForCodePoint(character.codePointAt(0)!)).toBe(true);
    expect(face.hasGlyphForCodePoint('龙'.codePointAt(0)!)).toBe(false);
  });

  it('prints markup in a title as text', () => {
    const svg = shareCardSvg({ ...input, headline: 'Tigers <script>alert(1)</script> & "friends"' });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(() => renderPng(svg)).not.toThrow();
  });

  it('wraps a long title into at most three lines that fit beside the picture', () => {
    const title =
      'Protect the last forests of the Russian Far East and the leopards, tigers and deer that live in them';
    const lines = wrapText(title, 600, 48, 3, true);
    expect(lines.length).toBeLessThanOrEqual(3);
    for (const line of lines) expect(estimateTextWidth(line, true) * 48).toBeLessThanOrEqual(600);
    expect(lines.at(-1)).toMatch(/…$/);
    expect(wrapText('救救阿穆尔豹，保护它们的森林', 200, 40, 3, true).length).toBeGreaterThan(1);
  });
});

describe('the counter badge', () => {
  it('shows the title and the count in the accent colour, with a text alternative', () => {
    const badge = counterBadgeSvg({ title: 'Save the Amur Leopard', count: 1, goal: 100, accent: '#005f73' });
    const dom = svgDocument(badge.svg);
    expect(dom.querySelector('svg')?.getAttribute('aria-label')).toBe(
      'Save the Amur Leopard: 1 signature, 1% of the goal of 100',
    );
    expect([...dom.querySelectorAll('text')].map((text) => text.textContent)).toEqual([
      'Save the Amur Leopard',
      '1 signature',
    ]);
    expect(badge.svg).toContain('fill="#005f73"');
    expect(Number(dom.querySelector('svg')?.getAttribute('width'))).toBe(badge.width);
  });

  it('comes with a snippet that links back and runs no script', () => {
    const html = counterEmbedHtml({
      title: 'Save "the" Leopard',
      homeUrl: 'https://example.org/leopard/',
      badgeUrl: 'https://example.org/leopard/badge.svg',
      width: 250,
      height: 28,
    });
    const dom = svgDocument(html);
    expect(dom.querySelector('a')?.getAttribute('href')).toBe('https://example.org/leopard/');
    expect(dom.querySelector('img')?.getAttribute('src')).toBe('https://example.org/leopard/badge.svg');
    expect(dom.querySelector('img')?.getAttribute('alt')).toBe(
      'Sign the petition “Save "the" Leopard”: see how many have signed',
    );
    expect(html).not.toMatch(/<script|on\w+=/i);
  });
});

describe('the QR code', () => {
  it('scans back to the address it was made for', () => {
    const url = 'https://petition.example.org/amur-leopard/sign/';
    const { pixels, width, height } = renderPixels(qrCodeSvg(url, { label: 'QR code' }), 400);
    const code = jsQR(new Uint8ClampedArray(pixels), width, height);
    expect(code?.data).toBe(url);
  });
});

describe('the lead image', () => {
  it('has its width and height read from SVG, PNG and JPEG files', async () => {
    const { readFile } = await import('node:fs/promises');
    const png = await readFile(new URL('../../content/assets/favicon.png', import.meta.url));
    expect(imageSize(png, 'png')).toEqual({ width: 64, height: 64 });
    expect(imageSize(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300">'), 'svg')).toEqual({
      width: 400,
      height: 300,
    });
    // The smallest JPEG header: SOI, then SOF0 with height 2 and width 3.
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x02, 0x00, 0x03, 0x03, 0x01, 0x22, 0x00,
    ]);
    expect(imageSize(jpeg, 'jpg')).toEqual({ width: 3, height: 2 });
  });

  it('is checked in the settings: a path inside content/, with alt text, credit and licence', () => {
    const base = {
      title: 'T',
      goal: 10,
      closing_date: '2027-01-01',
      repository: 'o/r',
      site_url: 'https://o.github.io',
    };
    expect(resolveSettings({ ...base, image: '' }).image).toBe('');
    expect(() => resolveSettings({ ...base, image: '../secret.png', accent_colour: 'brown' })).toThrowError(
      /"image" must be a path inside content\/[^]*"image_alt" must say what the image shows[^]*"image_credit"[^]*"image_licence"[^]*"accent_colour" must be a colour written #rrggbb/,
    );
    expect(
      resolveSettings({
        ...base,
        image: 'assets/a.jpg',
        image_alt: 'A leopard',
        image_credit: 'Jane Doe',
        image_licence: 'CC BY 4.0',
        accent_colour: '#ABCDEF',
      }),
    ).toMatchObject({ image: 'assets/a.jpg', accent_colour: '#abcdef', accent_colour_dark: '#f0b05a' });
  });
});
