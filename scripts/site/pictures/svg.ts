/**
 * Small helpers shared by the pictures: escaping, colours, number formatting and a text-width
 * estimate. Pure: no I/O.
 */
import { escapeText } from '../signer-html.ts';
import { formatNumber } from '../../core/format.ts';

/**
 * Escapes text for SVG content and attribute values. The same escapes as the HTML pages (every
 * one of them is also valid XML), so text from settings cannot break out of the markup.
 */
export function escapeXml(value: string | number): string {
  return escapeText(value);
}

export { formatNumber };

/** A number with at most `digits` decimals and no trailing zeros, for compact SVG coordinates. */
export function round(value: number, digits = 1): string {
  const factor = 10 ** digits;
  return String(Math.round(value * factor) / factor);
}

function channels(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

/** Mixes two "#rrggbb" colours: `amount` 0 gives `from`, 1 gives `to`. */
export function mixColours(from: string, to: string, amount: number): string {
  const a = channels(from);
  const b = channels(to);
  return `#${a
    .map((channel, index) =>
      Math.round(channel + (b[index]! - channel) * amount)
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

/** WCAG relative luminance of a "#rrggbb" colour. */
export function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG contrast ratio between two colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/** Whichever of near-black and white reads better on `background`. */
export function textColourOn(background: string): string {
  return contrastRatio(background, '#ffffff') >= contrastRatio(background, '#1d1a16') ? '#ffffff' : '#1d1a16';
}

// East Asian wide characters take a full em; everything else is estimated from DejaVu Sans.
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/**
 * The width of `text` at font size 1 in DejaVu Sans (bold when `bold`), estimated per character.
 * Pictures render text without a layout engine; this errs on the wide side so a line that is
 * estimated to fit does fit.
 */
export function estimateTextWidth(text: string, bold = false): number {
  let width = 0;
  for (const character of text) {
    if (WIDE.test(character)) width += 1;
    else if (character === ' ') width += 0.33;
    else if (/[.,:;'’!|iIl1()[\]]/.test(character)) width += 0.36;
    else if (/[A-ZÀ-ÞА-ЯmwMW@%]/.test(character)) width += 0.8;
    else width += 0.64;
  }
  return width * (bold ? 1.08 : 1);
}

/**
 * Breaks `text` into at most `maxLines` lines no wider than `maxWidth` at `fontSize`; the last
 * line ends in "…" when the text does not fit. Words longer than a line are cut.
 */
export function wrapText(text: string, maxWidth: number, fontSize: number, maxLines: number, bold = false): string[] {
  const fits = (line: string) => estimateTextWidth(line, bold) * fontSize <= maxWidth;
  // Scripts without spaces (Chinese, Japanese) may break between any two characters.
  const words = text
    .trim()
    .split(/\s+/)
    .flatMap((word) => (WIDE.test(word) ? [...word] : [word]));
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const joiner = line && !(WIDE.test(word) && WIDE.test(line.slice(-1))) ? ' ' : '';
    if (fits(line + joiner + word)) {
      line += joiner + word;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (!fits(line)) {
      const characters = [...line];
      let cut = characters.length - 1;
      while (cut > 1 && !fits(characters.slice(0, cut).join(''))) cut -= 1;
      lines.push(characters.slice(0, cut).join(''));
      line = characters.slice(cut).join('');
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  let last = `${kept[maxLines - 1]!}…`;
  while (!fits(last) && last.length > 1) last = `${[...last].slice(0, -2).join('')}…`;
  kept[maxLines - 1] = last;
  return kept;
}
