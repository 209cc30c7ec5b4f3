/**
 * The embeddable counter: an SVG badge ("Save the Amur Leopard | 1,234 signatures") that other
 * sites show with a plain <img>, and the snippet that embeds it. No script: the badge is rebuilt
 * with the site, so it is as fresh as the last deploy. Pure.
 */
import { escapeXml, estimateTextWidth, formatNumber, textColourOn } from './svg.ts';

export interface BadgeInput {
  title: string;
  count: number;
  goal: number;
  accent: string;
  /** The badge's words in a language; English when left out. */
  words?: BadgeWords;
}

/** What the badge says, in one language (from its catalogue's site.pictures). */
export interface BadgeWords {
  /** "1,234 signatures". */
  count: (count: number) => string;
  /** The accessible name: the petition, the count and how far to the goal. */
  label: (values: { title: string; count: string; percent: number; goal: number }) => string;
}

const ENGLISH: BadgeWords = {
  count: (count) => `${formatNumber(count)} ${count === 1 ? 'signature' : 'signatures'}`,
  label: ({ title, count, percent, goal }) => `${title}: ${count}, ${percent}% of the goal of ${formatNumber(goal)}`,
};

const FONT_SIZE = 13;
const HEIGHT = 28;
const PADDING = 10;

/** The badge's width and the SVG text. textLength pins each label to its estimated width, whatever font the viewer has. */
export function counterBadgeSvg(input: BadgeInput): { svg: string; width: number; height: number } {
  const percent = Math.min(100, Math.floor((input.count / input.goal) * 100));
  const left = input.title;
  const words = input.words ?? ENGLISH;
  const right = words.count(input.count);
  const leftWidth = Math.ceil(estimateTextWidth(left) * FONT_SIZE * 0.92) + 2 * PADDING;
  const rightWidth = Math.ceil(estimateTextWidth(right, true) * FONT_SIZE * 0.92) + 2 * PADDING;
  const width = leftWidth + rightWidth;
  const progress = Math.round((rightWidth * percent) / 100);
  const fg = textColourOn(input.accent);
  const label = words.label({ title: input.title, count: right, percent, goal: input.goal });
  const text = (x: number, w: number, value: string, colour: string, bold: boolean) =>
    `<text x="${x + PADDING}" y="18.5" textLength="${w - 2 * PADDING}" lengthAdjust="spacingAndGlyphs" fill="${colour}"${bold ? ' font-weight="700"' : ''}>${escapeXml(value)}</text>`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${escapeXml(label)}">` +
    `<title>${escapeXml(label)}</title>` +
    `<clipPath id="r"><rect width="${width}" height="${HEIGHT}" rx="5"/></clipPath><g clip-path="url(#r)">` +
    `<rect width="${leftWidth}" height="${HEIGHT}" fill="#2b2620"/><rect x="${leftWidth}" width="${rightWidth}" height="${HEIGHT}" fill="${input.accent}"/>` +
    `<rect x="${leftWidth}" y="${HEIGHT - 4}" width="${progress}" height="4" fill="${fg}" opacity=".6"/></g>` +
    `<g font-family="DejaVu Sans,Verdana,Geneva,sans-serif" font-size="${FONT_SIZE}">` +
    `${text(0, leftWidth, left, '#ffffff', false)}${text(leftWidth, rightWidth, right, fg, true)}</g></svg>\n`;
  return { svg, width, height: HEIGHT };
}

/**
 * The HTML another site pastes to show the counter: a link to the petition around the badge.
 * The alt text names the petition, not the count, so it never goes stale.
 */
export function counterEmbedHtml(input: {
  title: string;
  homeUrl: string;
  badgeUrl: string;
  width: number;
  height: number;
  /** The image's alt text; English when left out. */
  alt?: string;
}): string {
  const alt = input.alt ?? `Sign the petition “${input.title}”: see how many have signed`;
  return (
    `<a href="${escapeXml(input.homeUrl)}"><img src="${escapeXml(input.badgeUrl)}" width="${input.width}" height="${input.height}" ` +
    `alt="${escapeXml(alt)}"></a>`
  );
}
