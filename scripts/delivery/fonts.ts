/**
 * The fonts the delivery PDFs embed, from npm packages of the Noto fonts (SIL Open Font Licence
 * 1.1, which allows embedding): no system font is used, so every machine, the Action included,
 * produces the same PDF. In fallback order: the first font that has a character draws it.
 * pdfkit embeds only the glyphs a document uses, so a volume carries a few hundred kilobytes of
 * font, not the 8 MB of the Chinese one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';

export interface DeliveryFont {
  /** The name pdfkit registers it under. */
  name: string;
  /** What it is there for. */
  covers: string;
  /** Absolute path of the font file. */
  file: string;
}

const require = createRequire(import.meta.url);

/** A font file inside an @embedpdf/fonts-* package (their exports hide the fonts/ folder). */
function packageFont(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(packageName)), '..', 'fonts', file);
}

/**
 * A font file of a @fontsource package (one script's subset, WOFF: fontkit reads it and pdfkit
 * embeds the glyphs used, as for TrueType). Fontsource publishes the fonts' files, under the
 * fonts' own licence (SIL OFL 1.1 for Noto).
 */
function fontsourceFont(packageName: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${packageName}/package.json`)), 'files', file);
}

/**
 * The Korean face: Noto Sans KR Regular cut to Hangul (the 2,350 syllables of KS X 1001, which
 * nearly all modern names and text use), one 250 KB WOFF from @openfonts/noto-sans-kr_korean
 * (2.7 MB installed, six weights). @embedpdf/fonts-kr has all 11,172 syllables but installs
 * 31 MB, over the node_modules budget; the Fontsource variable cut of Noto Sans KR has them too,
 * but in 124 WOFF2 slices whose default instance is Thin, which fontkit cannot instance from WOFF2.
 * A rarer syllable is reported like any character no font has.
 */
function koreanFont(): string {
  const base = path.dirname(require.resolve('@openfonts/noto-sans-kr_korean/package.json'));
  return path.join(base, 'files', 'noto-sans-kr-korean-400.woff');
}

/** The regular fonts, in fallback order. */
export function regularFonts(): DeliveryFont[] {
  return [
    {
      name: 'NotoSans',
      covers: 'Latin, Greek, Cyrillic, Devanagari',
      file: packageFont('@embedpdf/fonts-latin', 'NotoSans-Regular.ttf'),
    },
    {
      name: 'NotoNaskhArabic',
      covers: 'Arabic',
      file: packageFont('@embedpdf/fonts-arabic', 'NotoNaskhArabic-Regular.ttf'),
    },
    {
      name: 'NotoSansHebrew',
      covers: 'Hebrew',
      file: packageFont('@embedpdf/fonts-hebrew', 'NotoSansHebrew-Regular.ttf'),
    },
    {
      name: 'NotoSansThai',
      covers: 'Thai',
      file: fontsourceFont('@fontsource/noto-sans-thai', 'noto-sans-thai-thai-400-normal.woff'),
    },
    {
      name: 'NotoSansGeorgian',
      covers: 'Georgian',
      file: fontsourceFont('@fontsource/noto-sans-georgian', 'noto-sans-georgian-georgian-400-normal.woff'),
    },
    {
      name: 'NotoSansArmenian',
      covers: 'Armenian',
      file: fontsourceFont('@fontsource/noto-sans-armenian', 'noto-sans-armenian-armenian-400-normal.woff'),
    },
    {
      name: 'NotoSansHans',
      covers: 'Chinese (simplified and traditional), Japanese kana',
      file: packageFont('@embedpdf/fonts-sc', 'NotoSansHans-Regular.otf'),
    },
    { name: 'NotoSansKR', covers: 'Korean (Hangul)', file: koreanFont() },
  ];
}

/** The bold fonts for headings: bold Latin, then the regular fallbacks. */
export function boldFonts(): DeliveryFont[] {
  const [, ...rest] = regularFonts();
  return [
    {
      name: 'NotoSans-Bold',
      covers: 'Latin, Greek, Cyrillic',
      file: packageFont('@embedpdf/fonts-latin', 'NotoSans-Bold.ttf'),
    },
    ...rest,
  ];
}

export interface LoadedFonts {
  regular: DeliveryFont[];
  bold: DeliveryFont[];
  /** Font bytes by name, read once and shared by every document. */
  bytes: Map<string, Buffer>;
  /** Whether font `index` of `list` has a glyph for a code point (cached). */
  coverage(list: DeliveryFont[]): (index: number, codePoint: number) => boolean;
}

/** Reads the fonts once. */
export function loadFonts(): LoadedFonts {
  const regular = regularFonts();
  const bold = boldFonts();
  const bytes = new Map<string, Buffer>();
  const parsed = new Map<string, fontkit.Font>();
  for (const font of [...regular, ...bold]) {
    if (bytes.has(font.name)) continue;
    const data = readFileSync(font.file);
    bytes.set(font.name, data);
    parsed.set(font.name, fontkit.create(data) as fontkit.Font);
  }
  const cache = new Map<string, boolean>();
  return {
    regular,
    bold,
    bytes,
    coverage: (list) => (index, codePoint) => {
      const name = list[index]!.name;
      const key = `${name}:${codePoint}`;
      let has = cache.get(key);
      if (has === undefined) cache.set(key, (has = parsed.get(name)!.hasGlyphForCodePoint(codePoint)));
      return has;
    },
  };
}
