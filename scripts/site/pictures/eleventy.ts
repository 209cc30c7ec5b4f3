/**
 * Registers the pictures with Eleventy: the `pictures` global data, the `shareCard` filter that
 * base.njk calls for og:image, and the step after the build that writes the picture files and
 * renders the share cards that pages asked for. Everything is drawn from the build's own tally,
 * so every build (and so every new signature) redraws the count on every picture.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SiteData } from '../site-data.ts';
import type { Settings } from '../../core/settings.ts';
import type { Tally } from '../../core/tally.ts';
import { format, type Catalog } from '../../core/i18n.ts';
import { shareCardAlt, shareCardSvg, type CardImage, type CardWords, type ShareCardInput } from './card.ts';
import { buildPictures, PICTURE_FILES, type Pictures } from './index.ts';
import { cardDrawer, writePictureFiles } from './card-files.ts';
import { counterBadgeSvg, counterEmbedHtml } from './badge.ts';
import { countryNameIn, formatDateIn, formatNumberIn } from '../languages.ts';
import { signaturesChartSvg, type ChartWords } from './chart.ts';
import { worldMapSvg, type MapWords, type WorldMap } from './world-map.ts';
import { qrCodeSvg } from './qr.ts';
import { cardImage } from './lead-image.ts';

/** A share card as the page's meta tags need it. */
export interface ShareCardReference {
  /** Root-relative URL of the PNG; its name changes with its content, so shared links show the new count. */
  url: string;
  alt: string;
}

/**
 * What the share card of a page says: the home page and the letter carry the petition's title,
 * an update its own. The count is the build's tally, so a new signature redraws every card.
 */
export function shareCardInput(
  context: {
    settings: Settings;
    tally: Pick<Tally, 'signature_count' | 'goal'>;
    baseUrl: string;
    image?: CardImage | undefined;
  },
  pageUrl: string,
  title: string,
  language?: { catalog: Catalog; petitionTitle: string },
): ShareCardInput {
  const { settings, tally } = context;
  const onHome = pageUrl === '/';
  const onLetter = pageUrl.startsWith('/letter/');
  const petitionTitle = language?.petitionTitle ?? settings.title;
  const headline = onHome || onLetter ? petitionTitle : title;
  let words: CardWords | undefined;
  let kicker = onHome ? 'Sign the petition' : onLetter ? 'An open letter' : petitionTitle;
  if (language) {
    const say = (key: string[], values: Record<string, string | number> = {}) =>
      format(language.catalog, ['site', ...key], values);
    const percent = Math.min(100, Math.floor((tally.signature_count / tally.goal) * 100));
    const count = say(['count', 'signatures'], { n: tally.signature_count });
    if (onHome) kicker = say(['card', 'kicker_home']);
    else if (onLetter) kicker = say(['card', 'kicker_letter']);
    words = {
      count,
      progress: say(['card', 'progress'], { percent, goal: tally.goal }),
      alt: say(['card', 'alt'], { headline, count, percent, goal: tally.goal }),
    };
  }
  return {
    kicker,
    headline,
    words,
    count: tally.signature_count,
    goal: tally.goal,
    accent: settings.accent_colour,
    address: context.baseUrl.replace(/^https?:\/\//, '').replace(/\/$/, ''),
    image: context.image,
  };
}

/** The card's file name for a page: "/" → "home", "/updates/news/" → "updates-news". */
export function cardName(pageUrl: string): string {
  const name = pageUrl.replace(/^\/+|\/+$/g, '').replace(/[^\w-]+/g, '-');
  return name || 'home';
}

/**
 * Reads the lead image, computes the pictures and registers them with Eleventy (see the top of
 * this file). Throws when the settings name an image that does not exist: a fork would otherwise
 * publish a broken picture on its home page and share cards.
 */
// Eleventy ships no TypeScript types for its configuration object.
export async function addPictures(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  data: SiteData,
  projectRoot: string,
  catalogs: readonly Catalog[] = [],
  cardCache?: string,
): Promise<void> {
  const { settings, tally } = data;
  const imagePath = settings.image ? path.join(projectRoot, 'content', settings.image) : undefined;
  const imageBytes = imagePath
    ? await readFile(imagePath).catch(() => {
        throw new Error(
          `content/settings.json names the image "${settings.image}", but content/${settings.image} does not exist.`,
        );
      })
    : undefined;
  const pictures = buildPictures(settings, tally, data.site.baseUrl, imageBytes);
  const badges = languageBadges(data, catalogs, pictures);
  eleventyConfig.addGlobalData('pictures', pictures);
  /** `{% set counter = "" | localBadge %}`: the counter badge and its embed snippet in the page's language. */
  eleventyConfig.addFilter('localBadge', function (this: { ctx?: { lang?: unknown; language?: { code?: unknown } } }) {
    const code = this?.ctx?.language?.code ?? this?.ctx?.lang;
    return badges.get(String(code)) ?? pictures.badge;
  });
  // The image is published where the settings say, even outside content/assets/.
  if (settings.image && !settings.image.startsWith('assets/')) {
    eleventyConfig.addPassthroughCopy({ [`content/${settings.image}`]: settings.image });
  }
  const image: CardImage | undefined = imageBytes ? cardImage(imageBytes, settings.image.split('.').pop()!) : undefined;

  const requested = addShareCardFilter(eleventyConfig, data, catalogs, image);
  addLocalPicturesFilter(eleventyConfig, data, catalogs, pictures);
  addQrCodeFilter(eleventyConfig, data, catalogs);
  const cards = cardDrawer(projectRoot, cardCache);
  eleventyConfig.on('eleventy.after', ({ directories }: { directories: { output: string } }) =>
    writePictureFiles(directories.output, pictures, requested, cards),
  );
}

/** The filter `shareCard`; returns the cards pages asked for in this build, by file name. */
function addShareCardFilter(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  data: SiteData,
  catalogs: readonly Catalog[],
  image: CardImage | undefined,
): Map<string, string> {
  const { settings, tally } = data;
  const requested = new Map<string, string>();
  /**
   * `pageUrl | shareCard(title)`: the card of a page that has its own (home, letter, updates: they
   * set `share_card: true`); other pages pass "/" and share the home page's card.
   */
  // In the page's language (its data's `language` or `lang`, as scripts/site/languages.ts reads
  // it): the words from its catalogue, and a card file of its own ("share/ru-home.<hash>.png").
  eleventyConfig.addFilter(
    'shareCard',
    function (
      this: { ctx?: { lang?: unknown; language?: { code?: unknown } } },
      pageUrl: string,
      title: string,
    ): ShareCardReference {
      const code = this?.ctx?.language?.code ?? this?.ctx?.lang;
      const catalog = catalogs.find((candidate) => candidate.language === code) ?? catalogs[0];
      const language = catalog && {
        catalog,
        petitionTitle: data.petitions[catalog.language]?.title ?? settings.title,
      };
      const input = shareCardInput({ settings, tally, baseUrl: data.site.baseUrl, image }, pageUrl, title, language);
      const svg = shareCardSvg(input);
      const hash = createHash('sha256').update(svg).digest('hex').slice(0, 10);
      const prefix = catalog && catalog !== catalogs[0] ? `${catalog.language}-` : '';
      const file = `share/${prefix}${cardName(pageUrl)}.${hash}.png`;
      requested.set(file, svg);
      return { url: `/${file}`, alt: shareCardAlt(input) };
    },
  );
  return requested;
}

/** The filter `localPictures`: the countries page's map and chart in the page's language. */
function addLocalPicturesFilter(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  data: SiteData,
  catalogs: readonly Catalog[],
  pictures: Pictures,
): void {
  const { settings, tally } = data;
  /**
   * `{% set local = "" | localPictures %}`: the countries page's map and chart in the page's
   * language (labels, titles, numbers, dates), drawn once per language.
   */
  const localCache = new Map<string, { map: WorldMap; chartSvg: string | null }>();
  eleventyConfig.addFilter(
    'localPictures',
    function (this: { ctx?: { lang?: unknown; language?: { code?: unknown } } }) {
      const code = this?.ctx?.language?.code ?? this?.ctx?.lang;
      const catalog = catalogs.find((candidate) => candidate.language === code) ?? catalogs[0];
      if (!catalog) return { map: pictures.map, chartSvg: pictures.chartSvg };
      let local = localCache.get(catalog.language);
      if (!local) {
        const { map, chart } = pictureWords(catalog);
        const colours = { accent: settings.accent_colour, accentDark: settings.accent_colour_dark };
        local = {
          map: worldMapSvg(tally.signatures_by_country, {
            ...colours,
            words: map,
            countryHref: (country) => `#country-${country}`,
          }),
          chartSvg: signaturesChartSvg(tally.signatures_by_day, { ...colours, words: chart }) ?? null,
        };
        localCache.set(catalog.language, local);
      }
      return local;
    },
  );
}

/** The filter `qrCode`: a QR code of a page of the published site, labelled in the page's language. */
function addQrCodeFilter(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  data: SiteData,
  catalogs: readonly Catalog[],
): void {
  /**
   * `"/ru/sign/" | qrCode("poster.qr_label_open")`: a QR code of that page of the published site,
   * its accessible name (site.<labelKey>, with {target}) in the page's language. The poster and
   * the signature sheet of each language lead to that language's pages.
   */
  eleventyConfig.addFilter(
    'qrCode',
    function (
      this: { ctx?: { lang?: unknown; language?: { code?: unknown } } },
      pagePath: string,
      labelKey: string,
    ): { svg: string; target: string } {
      const code = this?.ctx?.language?.code ?? this?.ctx?.lang;
      const catalog = catalogs.find((candidate) => candidate.language === code) ?? catalogs[0];
      const target = new URL(pagePath.replace(/^\/+/, ''), data.site.baseUrl).toString();
      const label = catalog ? format(catalog, ['site', ...labelKey.split('.')], { target }) : target;
      return { svg: qrCodeSvg(target, { label }), target };
    },
  );
}

/**
 * The counter badge of every language, each in its words ("1 234 подписи"), linking to that
 * language's home page: badge.svg for the default language, badge-<code>.svg for the others.
 * Adds their files to `pictures.files` and makes the default language's `pictures.badge`.
 */
function languageBadges(
  data: SiteData,
  catalogs: readonly Catalog[],
  pictures: Pictures,
): Map<string, Pictures['badge']> {
  const { settings, tally } = data;
  const badges = new Map<string, Pictures['badge']>();
  catalogs.forEach((catalog, index) => {
    const file = index === 0 ? PICTURE_FILES.badge : PICTURE_FILES.badge.replace(/\.svg$/, `-${catalog.language}.svg`);
    const title = data.petitions[catalog.language]?.title ?? settings.title;
    const say = (key: string[], values: Record<string, string | number>) => format(catalog, ['site', ...key], values);
    const badge = counterBadgeSvg({
      title,
      count: tally.signature_count,
      goal: tally.goal,
      accent: settings.accent_colour,
      words: {
        count: (n) => say(['count', 'signatures'], { n }),
        label: (values) => say(['pictures', 'badge_label'], values),
      },
    });
    const home = new URL(index === 0 ? '' : `${catalog.language}/`, data.site.baseUrl).toString();
    pictures.files[file] = badge.svg;
    badges.set(catalog.language, {
      url: `/${file}`,
      width: badge.width,
      height: badge.height,
      embedHtml: counterEmbedHtml({
        title,
        homeUrl: home,
        badgeUrl: new URL(file, data.site.baseUrl).toString(),
        width: badge.width,
        height: badge.height,
        alt: say(['pictures', 'badge_alt'], { title }),
      }),
    });
  });
  const own = catalogs[0] && badges.get(catalogs[0].language);
  if (own) pictures.badge = own;
  return badges;
}

/** The map's and chart's words in a catalogue's language (site.pictures, numbers and dates by Intl). */
export function pictureWords(catalog: Catalog): { map: MapWords; chart: ChartWords } {
  const locale = (() => {
    try {
      return format(catalog, ['site', 'locale'], {});
    } catch {
      return catalog.language;
    }
  })();
  const say = (key: string, values: Record<string, string | number> = {}) =>
    format(catalog, ['site', 'pictures', key], values);
  // The axis has room for three dates of about 12 characters at 320 px: a language whose short
  // date is longer ("24 сент. 2026 г.") writes it in figures ("24.09.2026").
  const short = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const shortDate =
    short.format(new Date('2026-09-24T00:00:00Z')).length <= 12
      ? short
      : new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
  const number = (value: number) => formatNumberIn(locale, value);
  return {
    map: {
      countryLabel: (code, count) => say('map_country', { country: countryNameIn(locale, code), n: count }),
      summary: (total, countries) =>
        total === 0 ? say('map_summary_none') : say('map_summary', { n: total, countries }),
      number,
    },
    chart: {
      title: say('chart_title'),
      totalPanel: say('chart_total'),
      perDayPanel: say('chart_per_day'),
      number,
      axisDate: (date) => shortDate.format(new Date(`${date}T00:00:00Z`)),
      description: ({ first, last, total, busiest, busiestCount }) =>
        say('chart_description', {
          first: formatDateIn(locale, first),
          last: formatDateIn(locale, last),
          n: total,
          busiest: formatDateIn(locale, busiest),
          busiestCount,
        }),
    },
  };
}
