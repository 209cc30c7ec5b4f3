/**
 * Share cards: the 1200×630 pictures that Telegram, VK, WeChat, X, Facebook and mail clients show
 * for a shared link (og:image). The card is written as SVG (pure: title, count, goal, colours and
 * the lead image in, text out) and rendered to PNG with resvg.
 *
 * Why resvg (@resvg/resvg-js): it is a native renderer shipped as prebuilt binaries inside
 * registry packages (one optional dependency per platform), so `npm ci` downloads nothing else, it
 * needs no browser, and it renders a card in tens of milliseconds. Satori was not needed: the card's
 * layout is a few lines of text, which {@link wrapText} wraps with DejaVu's widths. resvg reads
 * TrueType, not WOFF, so the fonts come from dejavu-fonts-ttf (the DejaVu/Bitstream Vera licence
 * allows embedding and redistribution); no system font is loaded, so every machine renders the
 * same card byte for byte. DejaVu has Latin, Cyrillic, Greek, Arabic and more, but no Chinese or
 * Japanese: a card with such text is drawn with Noto Sans CJK SC as well (@embedpdf/fonts-sc, the
 * delivery PDFs' Chinese face, OpenType/CFF), regular and bold, each cut to the card's own
 * characters (./font-subset.ts): a few kilobytes instead of 8 MB each, so the Chinese headline
 * is bold like the others and the renderer reads no more than it draws. {@link withCardFonts}.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Resvg, renderAsync } from '@resvg/resvg-js';
import { subsetFont } from './font-subset.ts';
import { escapeXml, formatNumber, mixColours, textColourOn, wrapText } from './svg.ts';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;

const fontFolder = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
/** The TrueType files the cards are drawn with. */
export const CARD_FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((file) => path.join(fontFolder, file));

/** Noto Sans CJK SC, regular and bold (the @embedpdf/fonts-sc package hides its fonts/ folder from exports). */
export const CJK_CARD_FONTS = ['NotoSansHans-Regular.otf', 'NotoSansHans-Bold.otf'].map((file) =>
  path.join(path.dirname(createRequire(import.meta.url).resolve('@embedpdf/fonts-sc')), '..', 'fonts', file),
);

// Noto's CJK faces name each weight as a family of its own, and a subset keeps only that name
// (ID 1). A card with Chinese or Japanese text asks for the CJK face first, by the name of its
// weight: resvg picks a text's font from its first family it has, and for a character that font
// lacks takes the first face that has it, whatever its weight (the Chinese headlines were
// regular). Noto Sans CJK draws the card's Latin and digits too, in the same design.
const FAMILIES = {
  latin: { regular: 'DejaVu Sans', bold: 'DejaVu Sans' },
  cjk: { regular: 'Noto Sans S Chinese Regular, DejaVu Sans', bold: 'Noto Sans S Chinese Bold, DejaVu Sans' },
};

// Han, kana and Hangul: what DejaVu cannot draw. Only the card's own text is tested (SVG markup
// and a base64 picture are ASCII).
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\u3000-\u303f\uff00-\uffef]/u;

let cjkFontBytes: Buffer[] | undefined;

/**
 * Runs `render` with the font files a card needs: DejaVu, and for a card with Chinese or
 * Japanese text Noto Sans CJK SC regular and bold cut to the card's characters, written to a
 * temporary folder that is removed when `render` is done.
 */
export async function withCardFonts<T>(svg: string, render: (fontFiles: string[]) => T | Promise<T>): Promise<T> {
  if (!CJK.test(svg)) return render(CARD_FONTS);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'petition-card-fonts-'));
  try {
    return await render([...CARD_FONTS, ...writeCjkSubsets(svg, folder)]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The same for a synchronous render (tests, one card at a time). */
function withCardFontsSync<T>(svg: string, render: (fontFiles: string[]) => T): T {
  if (!CJK.test(svg)) return render(CARD_FONTS);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'petition-card-fonts-'));
  try {
    return render([...CARD_FONTS, ...writeCjkSubsets(svg, folder)]);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Writes the CJK faces cut to the characters of `svg` (its text; markup adds only ASCII) into `folder`. */
function writeCjkSubsets(svg: string, folder: string): string[] {
  cjkFontBytes ??= CJK_CARD_FONTS.map((file) => readFileSync(file));
  return cjkFontBytes.map((bytes, index) => {
    const file = path.join(folder, path.basename(CJK_CARD_FONTS[index]!));
    writeFileSync(file, subsetFont(bytes, svg));
    return file;
  });
}

export interface CardImage {
  /** A data: URL of the picture, so the renderer reads nothing from disk or network. */
  dataUrl: string;
  width: number;
  height: number;
}

export interface ShareCardInput {
  /** A small line above the headline: the petition's title, or "Open letter". */
  kicker: string;
  /** The page's title. */
  headline: string;
  count: number;
  goal: number;
  accent: string;
  /** The site's address without https://, printed at the bottom. */
  address: string;
  image?: CardImage | undefined;
  /** The count and progress in the page's language; English when not given. */
  words?: CardWords | undefined;
}

/** The card's words in one language (site.card and site.count in content/i18n/<code>.yml). */
export interface CardWords {
  /** "1 234 подписи". */
  count: string;
  /** "12% из 10 000". */
  progress: string;
  /** The whole card for people who cannot see it (og:image:alt). */
  alt: string;
}

/** "1,234 signatures" or "1 signature". */
function signatures(count: number): string {
  return `${formatNumber(count)} ${count === 1 ? 'signature' : 'signatures'}`;
}

/** The card's text for people who cannot see it (og:image:alt). */
export function shareCardAlt(input: Pick<ShareCardInput, 'headline' | 'count' | 'goal' | 'words'>): string {
  if (input.words) return input.words.alt;
  const percent = Math.min(100, Math.floor((input.count / input.goal) * 100));
  return `${input.headline}: ${signatures(input.count)}, ${percent}% of the goal of ${formatNumber(input.goal)}.`;
}

/** The card as SVG text. Everything printed on it is escaped. */
export function shareCardSvg(input: ShareCardInput): string {
  const background = '#fdfbf7';
  const ink = '#1d1a16';
  const muted = '#5a5249';
  const imageWidth = input.image ? 430 : 0;
  const left = 64;
  const textWidth = CARD_WIDTH - imageWidth - left - 56;
  const fraction = Math.min(1, input.count / input.goal);
  const percent = Math.min(100, Math.floor(fraction * 100));

  // The headline takes the largest size at which it fits in three lines.
  let size = 64;
  let lines = wrapText(input.headline, textWidth, size, 3, true);
  while (size > 40 && (lines.length > 2 || lines.at(-1)!.endsWith('…'))) {
    size -= 4;
    lines = wrapText(input.headline, textWidth, size, 3, true);
  }
  const kicker = wrapText(input.kicker, textWidth, 28, 1)[0] ?? '';
  const headline = lines
    .map(
      (line, index) =>
        `<tspan x="${left}" dy="${index === 0 ? 0 : Math.round(size * 1.15)}">${escapeXml(line)}</tspan>`,
    )
    .join('');
  const headlineTop = 150;
  const countTop = Math.max(headlineTop + Math.round(size * 1.15) * (lines.length - 1) + 110, 370);
  const barWidth = textWidth;
  const track = mixColours(input.accent, background, 0.8);
  const image = input.image
    ? `<clipPath id="picture"><rect x="${CARD_WIDTH - imageWidth}" width="${imageWidth}" height="${CARD_HEIGHT}"/></clipPath>` +
      `<image clip-path="url(#picture)" x="${CARD_WIDTH - imageWidth}" y="0" width="${imageWidth}" height="${CARD_HEIGHT}" preserveAspectRatio="xMidYMid slice" href="${escapeXml(input.image.dataUrl)}"/>`
    : '';
  const badge = textColourOn(input.accent);
  const cjk = CJK.test(
    [input.kicker, input.headline, input.words?.count, input.words?.progress, input.address].join(''),
  );
  const { regular: REGULAR_FAMILIES, bold: BOLD_FAMILIES } = cjk ? FAMILIES.cjk : FAMILIES.latin;
  // The address's pill, sized for the face that draws it (bold at 24 px: DejaVu's Latin is wider).
  const addressCharacterWidth = cjk ? 13.5 : 15.5;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CARD_WIDTH}" height="${CARD_HEIGHT}" viewBox="0 0 ${CARD_WIDTH} ${CARD_HEIGHT}">` +
    `<rect width="${CARD_WIDTH}" height="${CARD_HEIGHT}" fill="${background}"/>${image}` +
    `<rect x="0" y="0" width="${CARD_WIDTH - imageWidth}" height="14" fill="${input.accent}"/>` +
    `<text x="${left}" y="84" font-family="${REGULAR_FAMILIES}" font-size="28" fill="${muted}">${escapeXml(kicker)}</text>` +
    `<text x="${left}" y="${headlineTop}" font-family="${BOLD_FAMILIES}" font-weight="700" font-size="${size}" fill="${ink}">${headline}</text>` +
    `<text x="${left}" y="${countTop}" font-family="${BOLD_FAMILIES}" font-weight="700" font-size="60" fill="${input.accent}">${escapeXml(input.words?.count ?? signatures(input.count))}</text>` +
    `<rect x="${left}" y="${countTop + 30}" width="${barWidth}" height="28" rx="14" fill="${track}"/>` +
    (fraction > 0
      ? `<rect x="${left}" y="${countTop + 30}" width="${Math.max(28, Math.round(barWidth * fraction))}" height="28" rx="14" fill="${input.accent}"/>`
      : '') +
    `<text x="${left}" y="${countTop + 100}" font-family="${REGULAR_FAMILIES}" font-size="28" fill="${muted}">${escapeXml(
      input.words?.progress ?? `${percent}% of ${formatNumber(input.goal)}`,
    )}</text>` +
    `<rect x="${left - 12}" y="${CARD_HEIGHT - 74}" width="${Math.min(textWidth + 24, 40 + Math.round(input.address.length * addressCharacterWidth))}" height="46" rx="8" fill="${input.accent}"/>` +
    `<text x="${left}" y="${CARD_HEIGHT - 42}" font-family="${BOLD_FAMILIES}" font-weight="700" font-size="24" fill="${badge}">${escapeXml(
      wrapText(input.address, textWidth, 24, 1, true)[0] ?? '',
    )}</text></svg>`
  );
}

/** Renders SVG text to PNG bytes with the bundled fonts only. */
export function renderPng(svg: string): Buffer {
  return withCardFontsSync(svg, (fontFiles) =>
    new Resvg(svg, {
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'original' },
    })
      .render()
      .asPng(),
  );
}

/**
 * Renders SVG text to PNG bytes on libuv's thread pool, so that the cards of a build are drawn
 * at the same time on as many cores as there are.
 */
export async function renderPngAsync(svg: string): Promise<Buffer> {
  return withCardFonts(svg, async (fontFiles) => {
    const rendered = await renderAsync(svg, {
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'original' },
    });
    return rendered.asPng();
  });
}

/** Renders SVG text to raw RGBA pixels (for tests that read pictures back, e.g. a QR code). */
export function renderPixels(svg: string, width: number): { pixels: Buffer; width: number; height: number } {
  const rendered = withCardFontsSync(svg, (fontFiles) =>
    new Resvg(svg, {
      font: { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'width', value: width },
      background: '#ffffff',
    }).render(),
  );
  return { pixels: rendered.pixels, width: rendered.width, height: rendered.height };
}
