/**
 * The signatures as the templates see them: the latest signers, the full list's pages and the
 * printable volumes (frames whose entries the reader's browser draws from the open data,
 * content/assets/js/signature-list.js), and the words the entries are written with.
 */
import type { Settings } from '../core/settings.ts';
import { countryName } from '../core/countries.ts';
import { channelOf, isOffline, type Channel, type PetitionRecord } from '../core/offline-signature.ts';
import { format, type Catalog } from '../core/i18n.ts';
import type { SiteLanguage } from './languages.ts';
import { bulkPageCounts, bulkRanks, volumeRowId } from './bulk-pages.ts';
import { openDataPartPath } from './open-data.ts';
import { entryId, type ChannelWords, LIST_REASON_CHARACTERS, shorten, type SignerHtmlOptions } from './signer-html.ts';

export { LIST_REASON_CHARACTERS };

/** One signature as the home page and the letter show it (the latest signers). */
export interface SignatureView {
  id: string;
  name: string;
  country: string;
  countryName: string;
  date: string;
  signedAt: string;
  reason: string;
  /** The reason cut to {@link LIST_REASON_CHARACTERS} for lists, so list pages stay small. */
  reasonShort: string;
  /** How the signature came ("github", "paper", "email") and, offline, its batch: lists label it. */
  channel: Channel;
  batch: string;
  /** The GitHub issue that carried the signature; 0 and "" for offline signatures. */
  issue: number;
  issueUrl: string;
}

/**
 * One page of the full list: numbered from the oldest signature, entries shown newest first.
 * The page holds no entries: the reader's browser draws them from the open data's part of the
 * same number (content/assets/js/signature-list.js); without JavaScript the page links the part.
 */
export interface SignatureListPage {
  number: number;
  url: string;
  /** How many signatures the page lists. */
  size: number;
  firstRank: number;
  lastRank: number;
  /** The open data's part of this page, from the site's root: "/data/signatures/3.csv.gz". */
  dataUrl: string;
  /**
   * The printable volume's row of the page's oldest signature: "/letter/delivery/1/#r1001". The
   * shipped notes no longer link it (the volume is drawn by the same script as the list); a fork's
   * language file written before December 2026 still does, and must find it.
   */
  volumeUrl: string;
}

/**
 * One volume of the printable signature list (/letter/delivery/<n>/): the same signatures as
 * volume n of the PDF packet that `npm run delivery` writes (settings.delivery_volume_size,
 * oldest first), so a page of 10,000 rows prints where one of every signature did not. The page
 * holds no rows: the reader's browser draws them from the open data's parts that hold its ranks
 * (part n holds list page n's signatures); without JavaScript the page links those parts.
 */
export interface DeliveryVolumePage {
  number: number;
  url: string;
  size: number;
  firstRank: number;
  lastRank: number;
  /** The open data's parts holding the volume's first and last rank, and their addresses from the site's root. */
  firstPart: number;
  lastPart: number;
  firstPartUrl: string;
  lastPartUrl: string;
}

/**
 * The full list's pages and the printable volumes for `count` signatures. Page n holds ranks
 * (n-1)·perPage+1 … n·perPage, rank 1 being the oldest signature; volume n likewise with
 * delivery_volume_size. Their entries are drawn in the reader's browser.
 */
export function listPages(
  count: number,
  settings: Settings,
): { signatureListPages: SignatureListPage[]; deliveryVolumes: DeliveryVolumePage[] } {
  const pageCounts = bulkPageCounts(count, settings.signatures_per_page, settings.delivery_volume_size);
  const signatureListPages: SignatureListPage[] = [];
  // One list page even before anyone signs: it says so.
  for (let number = 1; number <= Math.max(1, pageCounts.list); number += 1) {
    const { first, last } = bulkRanks(number, count, settings.signatures_per_page);
    signatureListPages.push({
      number,
      url: `/signatures/${number}/`,
      size: Math.max(0, last - first + 1),
      firstRank: first,
      lastRank: last,
      dataUrl: `/${openDataPartPath(number)}`,
      volumeUrl: `/letter/delivery/${Math.ceil(first / settings.delivery_volume_size)}/#${volumeRowId(first)}`,
    });
  }
  const deliveryVolumes: DeliveryVolumePage[] = [];
  for (let number = 1; number <= pageCounts.volume; number += 1) {
    const { first, last } = bulkRanks(number, count, settings.delivery_volume_size);
    const [firstPart, lastPart] = [first, last].map((rank) => Math.ceil(rank / settings.signatures_per_page)) as [
      number,
      number,
    ];
    deliveryVolumes.push({
      number,
      url: `/letter/delivery/${number}/`,
      size: last - first + 1,
      firstRank: first,
      lastRank: last,
      firstPart,
      lastPart,
      firstPartUrl: `/${openDataPartPath(firstPart)}`,
      lastPartUrl: `/${openDataPartPath(lastPart)}`,
    });
  }
  return { signatureListPages, deliveryVolumes };
}

/**
 * How the entries are worded on the server, in the default language, as plain data: the markup
 * the browser's drawing is held to (scripts/site/signer-html.ts).
 */
export function signerHtmlOptions(
  settings: Settings,
  languages: readonly SiteLanguage[],
  catalogs: readonly Catalog[],
): SignerHtmlOptions {
  return {
    repository: settings.repository,
    ...(languages[0]?.locale ? { locale: languages[0].locale } : {}),
    ...(catalogs[0]
      ? {
          receipt: format(catalogs[0], ['site', 'signatures', 'receipt'], { issue: '{issue}' }),
          channels: channelWords(catalogs[0]),
        }
      : {}),
  };
}

/** The default language's words for the channels, for the lists and volumes written once for all. */
function channelWords(catalog: Catalog): ChannelWords {
  const word = (key: keyof ChannelWords) =>
    format(catalog, ['site', 'channels', key], key.startsWith('label_') ? { batch: '{batch}' } : {});
  return {
    label_paper: word('label_paper'),
    label_email: word('label_email'),
    word_github: word('word_github'),
    word_paper: word('word_paper'),
    word_email: word('word_email'),
  };
}

/** One signature as the home page and the letter show it. */
export function view(record: PetitionRecord, repository: string): SignatureView {
  const offline = isOffline(record);
  return {
    id: entryId(record),
    name: record.name,
    country: record.country,
    countryName: countryName(record.country),
    date: record.signed_at.slice(0, 10),
    signedAt: record.signed_at,
    reason: record.reason,
    reasonShort: shorten(record.reason, LIST_REASON_CHARACTERS),
    channel: channelOf(record),
    batch: isOffline(record) ? record.batch : '',
    issue: offline ? 0 : record.issue,
    issueUrl: offline ? '' : `https://github.com/${repository}/issues/${record.issue}`,
  };
}
