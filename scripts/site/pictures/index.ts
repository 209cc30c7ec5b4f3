/**
 * Every picture of the site, computed once per build from the tally and the settings: the world
 * map, the chart over time, the counter badge, the poster's QR code, the latest milestone and
 * the lead image. Pure: the lead image's bytes are passed in. The share cards, one per page that
 * asks for one, are in ./card.ts and are drawn by ./eleventy.ts as pages ask for them.
 */
import type { Settings } from '../../core/settings.ts';
import type { Tally } from '../../core/tally.ts';
import { counterBadgeSvg, counterEmbedHtml } from './badge.ts';
import { signaturesChartSvg } from './chart.ts';
import { imageSize } from './lead-image.ts';
import { latestMilestone, type Milestone } from './milestones.ts';
import { MAP_WIDTH, worldMapSvg } from './world-map.ts';

/** Where the pictures that are files of their own are published, relative to the site's root. */
export const PICTURE_FILES = {
  map: 'signatures/map.svg',
  badge: 'badge.svg',
  qr: 'poster/qr.svg',
} as const;

export interface LeadImage {
  /** Root-relative URL of the image. */
  url: string;
  width: number;
  height: number;
  alt: string;
  credit: string;
  licence: string;
}

export interface Pictures {
  milestone: Milestone | null;
  /** The map for the countries page: countries link to their rows of the table. */
  map: { svg: string; shaded: string[]; notDrawn: string[] };
  /** The map as an image of its own, for the preview on the home page. */
  mapImage: { url: string; width: number; height: number; alt: string };
  chartSvg: string | null;
  badge: { url: string; width: number; height: number; embedHtml: string };
  leadImage: LeadImage | null;
  /** The text of each picture file, by its path under the output folder. */
  files: Record<string, string>;
}

/**
 * Computes the pictures. `leadImageBytes` is the file named by `settings.image`, or undefined
 * when the settings name none.
 */
export function buildPictures(settings: Settings, tally: Tally, baseUrl: string, leadImageBytes?: Buffer): Pictures {
  const colours = { accent: settings.accent_colour, accentDark: settings.accent_colour_dark };
  const map = worldMapSvg(tally.signatures_by_country, { ...colours, countryHref: (code) => `#country-${code}` });
  const mapFile = worldMapSvg(tally.signatures_by_country, { ...colours, standalone: true, titleId: 'title' });
  const mapHeight = Number(/viewBox="0 0 \d+ (\d+)"/.exec(map.svg)?.[1]);
  const badge = counterBadgeSvg({
    title: settings.title,
    count: tally.signature_count,
    goal: tally.goal,
    accent: settings.accent_colour,
  });
  const badgeUrl = new URL(PICTURE_FILES.badge, baseUrl).toString();

  let leadImage: LeadImage | null = null;
  if (settings.image && leadImageBytes) {
    const size = imageSize(leadImageBytes, settings.image.split('.').pop()!);
    if (!size) throw new Error(`content/${settings.image}: cannot read the picture's width and height.`);
    leadImage = {
      url: `/${settings.image}`,
      ...size,
      alt: settings.image_alt,
      credit: settings.image_credit,
      licence: settings.image_licence,
    };
  }

  return {
    milestone: latestMilestone(tally.signatures_by_day, tally.goal) ?? null,
    map,
    mapImage: {
      url: `/${PICTURE_FILES.map}`,
      width: MAP_WIDTH,
      height: mapHeight,
      alt: /<title id="title">([^<]*)<\/title>/.exec(mapFile.svg)?.[1] ?? 'World map of signatures by country',
    },
    chartSvg: signaturesChartSvg(tally.signatures_by_day, colours) ?? null,
    badge: {
      url: `/${PICTURE_FILES.badge}`,
      width: badge.width,
      height: badge.height,
      embedHtml: counterEmbedHtml({
        title: settings.title,
        homeUrl: baseUrl,
        badgeUrl,
        width: badge.width,
        height: badge.height,
      }),
    },
    leadImage,
    files: {
      [PICTURE_FILES.map]: mapFile.svg,
      [PICTURE_FILES.badge]: badge.svg,
    },
  };
}
