/**
 * The world map of signatures by country: an SVG choropleth drawn at build time from Natural
 * Earth's 1:110m country outlines (the world-atlas package) with d3-geo's Equal Earth projection,
 * which keeps areas true so large countries do not look more important than they are. Pure: the
 * outlines are bundled with the package and read once at import.
 *
 * Each country with signatures is a link to its row in the table on the countries page, so it can
 * be reached by keyboard; on hover and focus a label with its name and count appears in the empty
 * corner of the map (CSS only, no script), and every country has a <title> tooltip.
 */
import { geoEqualEarth, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import world from 'world-atlas/countries-110m.json' with { type: 'json' };
import { countryName } from '../../core/countries.ts';
import type { CountryTally } from '../../core/tally.ts';
import { escapeXml, formatNumber, mixColours } from './svg.ts';

export const MAP_WIDTH = 960;
/** Shades of the scale, from fewest to most signatures. */
export const MAP_STEPS = 5;

/** Natural Earth leaves a few disputed areas without an ISO number; those with an ISO code get it here. */
const CODES_BY_NAME: Record<string, string> = { Kosovo: 'XK' };
/** Antarctica: no signers live there, and it would take a fifth of the map's height. */
const LEFT_OUT = new Set(['010']);

interface Outline {
  /** ISO 3166-1 alpha-2, or undefined for an area without one. */
  code: string | undefined;
  d: string;
}

let outlines: { shapes: Outline[]; height: number } | undefined;

/** Projects the outlines once per process: the same for every build. */
function projectedOutlines(): { shapes: Outline[]; height: number } {
  if (outlines) return outlines;
  const topology = world as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const collection = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;
  const kept = collection.features.filter((shape) => !LEFT_OUT.has(String(shape.id)));
  const land: FeatureCollection = { type: 'FeatureCollection', features: kept };
  const projection = geoEqualEarth().precision(0).fitWidth(MAP_WIDTH, land);
  // No adaptive resampling: Equal Earth draws parallels straight, and at 1:110m the outlines have
  // a vertex every few pixels anyway; resampling tripled the time for no visible difference.
  const path = geoPath(projection).digits(1);
  const [[, top], [, bottom]] = path.bounds(land);
  projection.translate([projection.translate()[0], projection.translate()[1] - top + 2]);
  const shapes = kept.map((shape: Feature<Geometry, { name: string }>) => ({
    code:
      shape.id === undefined
        ? CODES_BY_NAME[shape.properties.name]
        : countries.numericToAlpha2(String(shape.id).padStart(3, '0')),
    d: path(shape) ?? '',
  }));
  outlines = { shapes, height: Math.ceil(bottom - top + 4) };
  return outlines;
}

/** The ISO codes of the countries the map draws. Smaller ones are only in the table. */
export function mappedCountryCodes(): Set<string> {
  return new Set(projectedOutlines().shapes.flatMap((shape) => (shape.code ? [shape.code] : [])));
}

/**
 * The shade (1 … {@link MAP_STEPS}) for a count, on a logarithmic scale up to `max`: signatures
 * are spread over orders of magnitude, and a linear scale would leave all but one country pale.
 */
export function shadeStep(count: number, max: number): number {
  if (count <= 0) return 0;
  if (max <= 1) return MAP_STEPS;
  return Math.max(1, Math.ceil((Math.log(count) / Math.log(max)) * MAP_STEPS - 1e-9));
}

export interface MapColours {
  accent: string;
  accentDark: string;
}

/**
 * The map's colours for both schemes as CSS custom properties, so the same SVG follows the
 * reader's light or dark preference inline and as an image.
 */
export function mapStyle({ accent, accentDark }: MapColours): string {
  const light = { land: '#e4ddd2', border: '#fdfbf7', text: '#1d1a16', from: '#f3e3c8' };
  const dark = { land: '#3a342b', border: '#15130f', text: '#eee8df', from: '#4d3b22' };
  const steps = (from: string, to: string) =>
    Array.from(
      { length: MAP_STEPS },
      (_, index) => `--map-${index + 1}:${mixColours(from, to, (index + 1) / MAP_STEPS)};`,
    ).join('');
  const variables = (scheme: typeof light, to: string) =>
    `--map-land:${scheme.land};--map-border:${scheme.border};--map-text:${scheme.text};--map-focus:${to};${steps(scheme.from, to)}`;
  const shades = Array.from(
    { length: MAP_STEPS },
    (_, index) => `.world-map .s${index + 1}{fill:var(--map-${index + 1})}`,
  ).join('');
  return (
    `.world-map{${variables(light, accent)}}` +
    `@media (prefers-color-scheme:dark){.world-map{${variables(dark, accentDark)}}}` +
    `.world-map path{fill:var(--map-land);stroke:var(--map-border);stroke-width:.5}${shades}` +
    `.world-map .map-label{display:none;fill:var(--map-text);font:600 26px system-ui,sans-serif}` +
    `.world-map a:hover .map-label,.world-map a:focus .map-label{display:inline}` +
    `.world-map a:focus path,.world-map a:hover path{stroke:var(--map-text);stroke-width:1.5}` +
    `.world-map a:focus{outline:none}` +
    `.world-map .legend text{fill:var(--map-text);font:40px system-ui,sans-serif}`
  );
}

/** The map's words in one language; English (the default language's built-in words) when not given. */
export interface MapWords {
  /** "Russia: 1,234 signatures", "Россия: 1 234 подписи". */
  countryLabel(code: string, count: number): string;
  /** The map's title: what it shows, with the total and the number of countries. */
  summary(total: number, countries: number): string;
  /** A number as the language writes it, for the legend. */
  number(value: number): string;
}

const ENGLISH_MAP_WORDS: MapWords = {
  countryLabel: (code, count) => countryLabel(code, count),
  summary: (total, countries) =>
    total === 0
      ? 'World map: no signatures yet.'
      : `World map of signatures by country: ${formatNumber(total)} ${total === 1 ? 'signature' : 'signatures'} from ${formatNumber(countries)} ${countries === 1 ? 'country' : 'countries'}; the stronger the colour, the more signatures.`,
  number: formatNumber,
};

export interface WorldMapOptions extends MapColours {
  /** Its labels, title and legend in the page's language. */
  words?: MapWords;
  /** Where each country links: its row in the table. Omit for a map without links (an image). */
  countryHref?: (code: string) => string;
  /** The id of the SVG's <title>, unique on its page. */
  titleId?: string;
  /** Whether the map stands alone as an .svg file (starts it with an XML declaration). */
  standalone?: boolean;
}

export interface WorldMap {
  svg: string;
  /** Countries drawn in a shade: those with signatures that the map has an outline for. */
  shaded: string[];
  /** Countries with signatures that are too small for the 1:110m outlines: listed in the table only. */
  notDrawn: string[];
}

/** "Russia: 1,234 signatures". */
export function countryLabel(code: string, count: number): string {
  return `${countryName(code)}: ${count === 0 ? 'no signatures yet' : `${formatNumber(count)} ${count === 1 ? 'signature' : 'signatures'}`}`;
}

/**
 * Draws the choropleth. Only counts and ISO codes reach it, never signer text; country names come
 * from scripts/core/countries.ts.
 */
export function worldMapSvg(byCountry: readonly CountryTally[], options: WorldMapOptions): WorldMap {
  const { shapes, height } = projectedOutlines();
  const counts = new Map(byCountry.map((entry) => [entry.code, entry.signature_count]));
  const max = Math.max(0, ...counts.values());
  const titleId = options.titleId ?? 'world-map-title';
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const words = options.words ?? ENGLISH_MAP_WORDS;

  const blank: string[] = [];
  const shadedParts: { count: number; markup: string }[] = [];
  const shaded: string[] = [];
  for (const shape of shapes) {
    const count = shape.code ? (counts.get(shape.code) ?? 0) : 0;
    const title = shape.code ? `<title>${escapeXml(words.countryLabel(shape.code, count))}</title>` : '';
    if (count === 0 || !shape.code) {
      blank.push(`<path d="${shape.d}">${title}</path>`);
      continue;
    }
    shaded.push(shape.code);
    const label = escapeXml(words.countryLabel(shape.code, count));
    const path = `<path class="s${shadeStep(count, max)}" d="${shape.d}">${title}</path>`;
    shadedParts.push({
      count,
      markup: options.countryHref
        ? `<a href="${escapeXml(options.countryHref(shape.code))}" aria-label="${label}">${path}<text class="map-label" x="12" y="${height + 56}">${label}</text></a>`
        : path,
    });
  }
  // The most signed countries last, so their focus outline is drawn over their neighbours.
  shadedParts.sort((a, b) => a.count - b.count);

  const drawnCodes = new Set(shaded);
  const notDrawn = byCountry.map((entry) => entry.code).filter((code) => !drawnCodes.has(code));
  // The legend is drawn large, in a band of its own under the map (with the label of the country
  // in focus), so it covers no country: the map is shrunk to a third on a 320 px screen, where
  // 16 units were 6 px. Five 56×32 swatches and 40-unit numbers are 11 and 13 px there.
  const swatch = 56;
  const legendLeft = MAP_WIDTH - 20 - MAP_STEPS * swatch;
  const legend =
    max > 0
      ? `<g class="legend" aria-hidden="true">${Array.from(
          { length: MAP_STEPS },
          (_, index) =>
            `<rect class="s${index + 1}" x="${legendLeft + index * swatch}" y="${height + 12}" width="${swatch}" height="32"/>`,
        ).join(
          '',
        )}<text x="${legendLeft}" y="${height + 86}">1</text><text x="${MAP_WIDTH - 20}" y="${height + 86}" text-anchor="end">${escapeXml(words.number(max))}</text></g>`
      : '';
  const summary = words.summary(total, counts.size);
  // role="img" only when the map has no links: links inside an image would be hidden from assistive technology.
  const role = options.countryHref ? 'group' : 'img';
  const svg =
    `<svg class="world-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${MAP_WIDTH} ${height + (max > 0 ? 100 : 0)}" role="${role}" aria-labelledby="${titleId}">` +
    `<title id="${titleId}">${escapeXml(summary)}</title><style>${mapStyle(options)}</style>` +
    `<g aria-hidden="true">${blank.join('')}</g>${shadedParts.map((part) => part.markup).join('')}${legend}</svg>`;
  return { svg: options.standalone ? `<?xml version="1.0" encoding="utf-8"?>\n${svg}\n` : svg, shaded, notDrawn };
}
