/**
 * Everything the templates need, computed once per build from settings, the letter and the
 * signatures folder. Signatures are DATA: they are never handed to a template engine as
 * templates, only printed through autoescaped expressions.
 *
 * The parts live beside it: the letter (letter-data.ts), the lists (list-pages.ts), the
 * deliveries (published-deliveries.ts); the reading of files is load-site-data.ts.
 */
import { allCountries } from '../core/countries.ts';
import { closingInstant, siteBaseUrl, type Settings } from '../core/settings.ts';
import { BATCH_COLUMNS, type PetitionRecord } from '../core/offline-signature.ts';
import { computeTally, newestFirst, type Tally } from '../core/tally.ts';
import type { SkippedSignatureFile } from '../store/load-signatures.ts';
import { addresseesOf, historicalNote, parseLetterVersion, type Addressee } from '../core/letter.ts';
import type { Catalog } from '../core/i18n.ts';
import { templateFileName } from '../core/issue-templates.ts';
import { siteLanguages, type SiteLanguage } from './languages.ts';
import { letterVersionAliases, type LetterVersion, type LetterVersionAlias } from './letter-versions.ts';
import { OPEN_DATA } from './open-data.ts';
import type { BulkSource } from './bulk-pages.ts';
import { receiptPages, type ReceiptPage } from './receipt-pages.ts';
import { sitemapParts, type SitemapPart } from './sitemap.ts';
import { languageLetters, type LanguageLetter, type LetterData, type PetitionWords } from './letter-data.ts';
import {
  listPages,
  signerHtmlOptions,
  view,
  type DeliveryVolumePage,
  type SignatureListPage,
  type SignatureView,
} from './list-pages.ts';
import type { PublishedDelivery } from './published-deliveries.ts';

export { markdown, parseLetter, type LetterData } from './letter-data.ts';
export {
  LIST_REASON_CHARACTERS,
  type DeliveryVolumePage,
  type SignatureListPage,
  type SignatureView,
} from './list-pages.ts';
export { DELIVERIES_FOLDER, readPublishedDeliveries, type PublishedDelivery } from './published-deliveries.ts';

export interface SiteData {
  settings: Settings;
  site: {
    baseUrl: string;
    closesAt: string;
    issuesUrl: string;
    signUrl: string;
    withdrawUrl: string;
    repositoryUrl: string;
  };
  tally: Tally;
  latestSigners: SignatureView[];
  signatureListPages: SignatureListPage[];
  /** The receipt pages that list someone (/signatures/find/<key>/, scripts/site/receipt-pages.ts). */
  receiptPages: ReceiptPage[];
  /** The languages other than the default, for what only translated pages need. */
  translatedLanguages: SiteLanguage[];
  /** The printable list of signatures in volumes; none when there are no signatures. */
  deliveryVolumes: DeliveryVolumePage[];
  /** The sitemaps of the list pages and volumes in every language, each within the protocol's limit (scripts/site/sitemap.ts). */
  sitemapParts: SitemapPart[];
  countries: { code: string; name: string }[];
  letterSha256: string;
  letter: LetterData;
  /** The printable signature sheet (content/signature-sheet.njk) and its typing templates. */
  sheet: { columns: readonly string[]; csvTemplate: string; jsonTemplate: string };
  /** data/tally.json; the signatures themselves are written after the build (scripts/site/bulk-output.ts). */
  openData: { tallyJson: string; index: string };
  skippedSignatures: SkippedSignatureFile[];
  /** Deliveries made so far, newest first. */
  deliveries: PublishedDelivery[];
  /** The letter's recipients with what has become of their offices (settings.offices_now). */
  addressees: Addressee[];
  /**
   * Signatures waiting to be counted (open issues with the signature label) when the site was
   * built, from the GitHub API (scripts/site/waiting-signatures.ts); null when not asked or not known.
   */
  waitingSignatures: number | null;
  /** The historical note: when the letter was written and who has left office since ("" if neither). */
  letterNote: string;
  /** The site's languages, default first (scripts/site/languages.ts). */
  languages: SiteLanguage[];
  /** Each language's letter: its own translation (content/<code>/letter.md) or, lacking one, the default's. */
  letters: Record<string, LanguageLetter>;
  /** Every version of the letter anyone may have signed (content/letter-versions/). */
  letterVersions: LetterVersion[];
  /** Old digests of archived versions (from before digests were of the file as committed), each with its version. */
  letterVersionAliases: LetterVersionAlias[];
  /** The petition's title and description in each language: settings for the default, content/<code>/index.md's front matter for the others. */
  /**
   * The petition's words in each language: its title and description, and the lead image's alt
   * text and credit (a translated home page's front matter: image_alt, image_credit; the
   * settings' for the default language and for a translation that gives none).
   */
  petitions: Record<string, PetitionWords>;
  /** Each language's GitHub issue forms: sign.yml for the default language, sign-ru.yml for Russian. */
  signTemplates: Record<string, string>;
  withdrawUrls: Record<string, string>;
}

/** What the build knows besides settings and signatures: languages, translated letters, archived versions. */
export interface SiteTexts {
  catalogs: readonly Catalog[];
  /** content/<code>/letter.md of each language that has one. */
  translatedLetters: Record<string, string>;
  letterVersions: LetterVersion[];
  /** The front matter of content/<code>/index.md of each language that has one (title, description). */
  translatedHomes?: Record<string, Record<string, unknown>>;
}

/** The templates' data, and what the pages that grow with the signatures are written from after the build. */
export interface SiteBuild {
  data: SiteData;
  bulk: BulkSource;
}

/**
 * Pure part: turns settings, records and the letter text into the templates' data and the
 * source of the bulk pages. `records` may be in any order and must be one per user id or offline
 * id. The records stay out of the templates' data: Eleventy would copy them into every page's.
 */
/**
 * Pure part: turns settings, records and the letter text into the templates' data and the
 * source of the bulk pages. `records` may be in any order and must be one per user id or offline
 * id. The records stay out of the templates' data: Eleventy would copy them into every page's.
 */
export function buildSiteData(
  settings: Settings,
  records: readonly PetitionRecord[],
  letterText: string,
  now: Date,
  skipped: SkippedSignatureFile[] = [],
  texts: SiteTexts = { catalogs: [], translatedLetters: {}, letterVersions: [] },
  deliveries: PublishedDelivery[] = [],
): SiteBuild {
  const tally = computeTally(records, settings, now);
  const newest = newestFirst(records);
  const languages = siteLanguages(texts.catalogs);
  const { signatureListPages, deliveryVolumes } = listPages(newest.length, settings);
  const letterVersion = parseLetterVersion(letterText, 'content/letter.md', settings.language);
  const addressees = addresseesOf(letterVersion, settings);
  const { letter, letterSha256, letters, petitions } = languageLetters(
    settings,
    letterText,
    languages,
    texts.translatedLetters,
    texts.translatedHomes,
  );
  const links = repositoryLinks(settings, languages);
  const data: SiteData = {
    settings,
    site: links.site,
    tally,
    latestSigners: newest.slice(0, settings.latest_signers).map((record) => view(record, settings.repository)),
    signatureListPages,
    receiptPages: receiptPages(records),
    translatedLanguages: languages.filter((language) => !language.isDefault),
    deliveryVolumes,
    sitemapParts: sitemapParts(languages, [...signatureListPages, ...deliveryVolumes]),
    countries: allCountries(),
    letterSha256,
    letter,
    languages,
    letters,
    letterVersions: texts.letterVersions,
    letterVersionAliases: letterVersionAliases(texts.letterVersions),
    petitions,
    signTemplates: links.signTemplates,
    withdrawUrls: links.withdrawUrls,
    sheet: signatureSheet(),
    openData: {
      tallyJson: `${JSON.stringify(tally, null, 2)}\n`,
      index: `/${OPEN_DATA.index}`,
    },
    skippedSignatures: skipped,
    deliveries,
    addressees,
    waitingSignatures: null,
    letterNote: historicalNote(letterVersion, addressees),
  };
  return {
    data,
    bulk: {
      newest,
      perPage: settings.signatures_per_page,
      volumeSize: settings.delivery_volume_size,
      html: signerHtmlOptions(settings, languages, texts.catalogs),
    },
  };
}

/** The printable signature sheet's columns and the typing templates offered beside it. */
function signatureSheet(): SiteData['sheet'] {
  return {
    columns: BATCH_COLUMNS,
    csvTemplate: `${BATCH_COLUMNS.join(',')}\r\n`,
    jsonTemplate: `${JSON.stringify(
      { rows: [Object.fromEntries(BATCH_COLUMNS.map((column) => [column, column === 'channel' ? 'paper' : '']))] },
      null,
      2,
    )}\n`,
  };
}

/** The site's links into the repository: issues, the sign and withdraw forms of each language. */
function repositoryLinks(
  settings: Settings,
  languages: readonly SiteLanguage[],
): Pick<SiteData, 'site' | 'signTemplates' | 'withdrawUrls'> {
  const repositoryUrl = `https://github.com/${settings.repository}`;
  return {
    site: {
      baseUrl: siteBaseUrl(settings),
      closesAt: closingInstant(settings).toISOString(),
      issuesUrl: `${repositoryUrl}/issues`,
      signUrl: `${repositoryUrl}/issues/new`,
      withdrawUrl: `${repositoryUrl}/issues/new?template=withdraw.yml`,
      repositoryUrl,
    },
    signTemplates: Object.fromEntries(
      languages.map((language) => [language.code, templateFileName('sign', language.code, settings.language)]),
    ),
    withdrawUrls: Object.fromEntries(
      languages.map((language) => [
        language.code,
        `${repositoryUrl}/issues/new?template=${templateFileName('withdraw', language.code, settings.language)}`,
      ]),
    ),
  };
}
