/**
 * Everything the templates need, computed once per build from settings, the letter and the
 * signatures folder. Signatures are DATA: they are never handed to a template engine as
 * templates, only printed through autoescaped expressions.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import matter from 'gray-matter';
import MarkdownIt from 'markdown-it';
import markdownItCjkFriendly from 'markdown-it-cjk-friendly';
import path from 'node:path';
import { allCountries, countryName } from '../core/countries.ts';
import { resolveSettings, closingInstant, siteBaseUrl, type Settings } from '../core/settings.ts';
import { BATCH_COLUMNS, channelOf, isOffline, type Channel, type PetitionRecord } from '../core/offline-signature.ts';
import { computeTally, letterDigest, newestFirst, type Tally } from '../core/tally.ts';
import {
  blockedAccountIds,
  loadSignatures,
  signaturesDirectory,
  type LoadedSignatures,
  type SkippedSignatureFile,
} from '../store/load-signatures.ts';
import { inertLogText } from '../core/text.ts';
import { loadSignaturesFromGit } from '../store/load-signatures-git.ts';
import { gitTokenEnv } from '../store/signature-store.ts';
import { formatNumber } from '../core/format.ts';
import { archivedLetterPath } from '../core/letter-archive.ts';
import { addresseesOf, historicalNote, parseLetterVersion, type Addressee } from '../core/letter.ts';
import { readCatalogs } from '../store/catalogs.ts';
import { format, type Catalog } from '../core/i18n.ts';
import { templateFileName } from '../core/issue-templates.ts';
import { siteLanguages, type SiteLanguage } from './languages.ts';
import {
  letterVersionAliases,
  readLetterVersions,
  type LetterVersion,
  type LetterVersionAlias,
} from './letter-versions.ts';
import { OPEN_DATA } from './open-data.ts';
import { bulkPageCounts, bulkRanks, type BulkSource } from './bulk-pages.ts';
import { receiptPages, type ReceiptPage } from './receipt-pages.ts';
import { entryId, type ChannelWords, LIST_REASON_CHARACTERS, shorten, type SignerHtmlOptions } from './signer-html.ts';

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

export { LIST_REASON_CHARACTERS };

/** The letter's parts, for pages other than /letter/ itself (the delivery version). */
export interface LetterData {
  recipients: { office: string; name: string }[];
  demands: string[];
  bodyHtml: string;
  closingHtml: string;
  /** When the text was written, for an old letter kept as written ("about 2008–2012"). */
  written?: string;
  /** What has changed since about the recipients ("Both have since left office…"). */
  since?: string;
  /**
   * The letter's opening sentence (front matter `opening`): absent for the language file's tally
   * sentence ("We, the 1,204 undersigned from 31 countries, write to you:"), false for none, or
   * the letter's own sentence, an ICU message given {n} signatures and {countries}.
   */
  opening?: string | false;
}

/**
 * Our own Markdown (the letter), never signer text. markdown-it-cjk-friendly lets ** and _ mark
 * emphasis next to Chinese and Japanese punctuation (`**哪些内容会公开：**`), which CommonMark's
 * flanking rules otherwise leave as asterisks.
 */
export const markdown = new MarkdownIt({ html: true, typographer: true }).use(markdownItCjkFriendly);

/** Splits content/letter.md into recipients, demands and rendered body and closing. */
export function parseLetter(letterText: string): LetterData {
  const { data, content } = matter(letterText, {});
  const recipients = Array.isArray(data.recipients) ? data.recipients : [];
  const demands = Array.isArray(data.demands) ? data.demands : [];
  if (recipients.length === 0 || demands.length === 0)
    throw new Error('content/letter.md needs "recipients" and "demands" in its front matter.');
  return {
    recipients,
    demands,
    bodyHtml: markdown.render(content),
    closingHtml: markdown.render(String(data.closing ?? '')),
    ...(data.opening === false ? { opening: false as const } : {}),
    ...(typeof data.opening === 'string' && data.opening.trim() ? { opening: data.opening.trim() } : {}),
    ...(typeof data.written === 'string' ? { written: data.written } : {}),
    ...(typeof data.since === 'string' ? { since: data.since } : {}),
  };
}

/**
 * One page of the full list: numbered from the oldest signature, entries shown newest first.
 * The page's entries are written after the build (scripts/site/bulk-pages.ts); the template
 * writes the marker `<!--petition-bulk:list:<number>-->` where they go.
 */
export interface SignatureListPage {
  number: number;
  url: string;
  /** How many signatures the page lists. */
  size: number;
  firstRank: number;
  lastRank: number;
}

/**
 * One volume of the printable signature list (/letter/delivery/<n>/): the same signatures as
 * volume n of the PDF packet that `npm run delivery` writes (settings.delivery_volume_size,
 * oldest first), so a page of 10,000 rows prints where one of every signature did not. Its rows
 * are written after the build, at the marker `<!--petition-bulk:volume:<number>-->`.
 */
export interface DeliveryVolumePage {
  number: number;
  url: string;
  size: number;
  firstRank: number;
  lastRank: number;
}

/**
 * A delivery made: its manifest, committed by the maintainer as content/deliveries/<name>.json
 * (a byte-for-byte copy of the packet's manifest.json) and published at /deliveries/<name>.json.
 */
export interface PublishedDelivery {
  file: string;
  url: string;
  /** SHA-256 of the manifest file: the figure announced with the delivery. */
  sha256: string;
  as_of: string;
  commit: string;
  signature_count: number;
  signatures_digest: string;
  volume_count: number;
}

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
  /**
   * The list pages of every language but the default, one per language and page: frames in the
   * reader's language around the default language's entries, which a script fetches and words in
   * that language (content/signatures/frame.njk, content/assets/js/signature-list.js), so the
   * entries are published once whatever the number of languages.
   */
  signatureListFrames: { language: SiteLanguage; listPage: SignatureListPage }[];
  /** The languages other than the default, for what only translated pages need. */
  translatedLanguages: SiteLanguage[];
  /** The printable list of signatures in volumes; none when there are no signatures. */
  deliveryVolumes: DeliveryVolumePage[];
  countries: { code: string; name: string }[];
  letterSha256: string;
  /** "12,304 signed online through GitHub, 1,210 on paper, 95 by email", or "" when all came through GitHub. */
  channelBreakdown: string;
  letter: LetterData;
  /** The printable signature sheet (content/signature-sheet.njk) and its typing templates. */
  sheet: { columns: readonly string[]; csvTemplate: string; jsonTemplate: string };
  /** data/tally.json; the signatures themselves are written after the build (scripts/site/bulk-output.ts). */
  openData: { tallyJson: string; index: string; full: string };
  skippedSignatures: SkippedSignatureFile[];
  /** Deliveries made so far, newest first. */
  deliveries: PublishedDelivery[];
  /** The letter's recipients with what has become of their offices (settings.offices_now). */
  addressees: Addressee[];
  /** The historical note: when the letter was written and who has left office since ("" if neither). */
  letterNote: string;
  /** The site's languages, default first (scripts/site/languages.ts). */
  languages: SiteLanguage[];
  /** Each language's letter: its own translation (content/<code>/letter.md) or, lacking one, the default's. */
  letters: Record<string, LetterData & { sha256: string; translated: boolean; file: string; archive: string }>;
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
  petitions: Record<string, { title: string; description: string; imageAlt: string; imageCredit: string }>;
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

/**
 * The count per channel in words, for the letter's sentence and the delivery letter. Empty when
 * every signature came through GitHub: the letter then reads as it did before paper and email.
 */
export function channelBreakdown(byChannel: Record<Channel, number>): string {
  if (byChannel.paper === 0 && byChannel.email === 0) return '';
  const parts: string[] = [];
  if (byChannel.github > 0) parts.push(`${formatNumber(byChannel.github)} signed online through GitHub`);
  if (byChannel.paper > 0) parts.push(`${formatNumber(byChannel.paper)} on paper`);
  if (byChannel.email > 0) parts.push(`${formatNumber(byChannel.email)} by email`);
  return parts.join(', ');
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

function view(record: PetitionRecord, repository: string): SignatureView {
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
  // Plain data, so that a helper thread can make the same renderer (scripts/site/bulk-output.ts).
  const html: SignerHtmlOptions = {
    repository: settings.repository,
    ...(languages[0]?.locale ? { locale: languages[0].locale } : {}),
    ...(texts.catalogs[0]
      ? {
          receipt: format(texts.catalogs[0], ['site', 'signatures', 'receipt'], { issue: '{issue}' }),
          channels: channelWords(texts.catalogs[0]),
        }
      : {}),
  };

  // Page n holds ranks (n-1)·perPage+1 … n·perPage, rank 1 being the oldest signature; volume n
  // likewise with delivery_volume_size. Their entries are written after the build.
  const count = newest.length;
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
    });
  }
  const deliveryVolumes: DeliveryVolumePage[] = [];
  for (let number = 1; number <= pageCounts.volume; number += 1) {
    const { first, last } = bulkRanks(number, count, settings.delivery_volume_size);
    deliveryVolumes.push({
      number,
      url: `/letter/delivery/${number}/`,
      size: last - first + 1,
      firstRank: first,
      lastRank: last,
    });
  }

  const repositoryUrl = `https://github.com/${settings.repository}`;
  const letterVersion = parseLetterVersion(letterText, 'content/letter.md', settings.language);
  const addressees = addresseesOf(letterVersion, settings);
  const letter = parseLetter(letterText);
  const letterSha256 = letterDigest(letterText);
  const letters: SiteData['letters'] = {};
  const petitions: SiteData['petitions'] = {};
  for (const language of languages) {
    const home = language.isDefault ? {} : (texts.translatedHomes?.[language.code] ?? {});
    petitions[language.code] = {
      title: typeof home.title === 'string' ? home.title : settings.title,
      description: typeof home.description === 'string' ? home.description : settings.description,
      imageAlt: typeof home.image_alt === 'string' ? home.image_alt : settings.image_alt,
      imageCredit: typeof home.image_credit === 'string' ? home.image_credit : settings.image_credit,
    };
    const translation = language.isDefault ? undefined : texts.translatedLetters[language.code];
    letters[language.code] = translation
      ? {
          ...parseLetter(translation),
          sha256: letterDigest(translation),
          translated: true,
          file: `content/${language.code}/letter.md`,
          archive: archivedLetterPath(language.code, letterDigest(translation)),
        }
      : {
          ...letter,
          sha256: letterSha256,
          translated: false,
          file: 'content/letter.md',
          archive: archivedLetterPath(settings.language, letterSha256),
        };
  }
  const data: SiteData = {
    settings,
    site: {
      baseUrl: siteBaseUrl(settings),
      closesAt: closingInstant(settings).toISOString(),
      issuesUrl: `${repositoryUrl}/issues`,
      signUrl: `${repositoryUrl}/issues/new`,
      withdrawUrl: `${repositoryUrl}/issues/new?template=withdraw.yml`,
      repositoryUrl,
    },
    tally,
    latestSigners: newest.slice(0, settings.latest_signers).map((record) => view(record, settings.repository)),
    signatureListPages,
    receiptPages: receiptPages(records),
    signatureListFrames: languages
      .filter((language) => !language.isDefault)
      .flatMap((language) => signatureListPages.map((listPage) => ({ language, listPage }))),
    translatedLanguages: languages.filter((language) => !language.isDefault),
    deliveryVolumes,
    countries: allCountries(),
    letterSha256,
    letter,
    languages,
    letters,
    letterVersions: texts.letterVersions,
    letterVersionAliases: letterVersionAliases(texts.letterVersions),
    petitions,
    signTemplates: Object.fromEntries(
      languages.map((language) => [language.code, templateFileName('sign', language.code, settings.language)]),
    ),
    withdrawUrls: Object.fromEntries(
      languages.map((language) => [
        language.code,
        `${repositoryUrl}/issues/new?template=${templateFileName('withdraw', language.code, settings.language)}`,
      ]),
    ),
    channelBreakdown: channelBreakdown(tally.signatures_by_channel),
    sheet: {
      columns: BATCH_COLUMNS,
      csvTemplate: `${BATCH_COLUMNS.join(',')}\r\n`,
      jsonTemplate: `${JSON.stringify(
        { rows: [Object.fromEntries(BATCH_COLUMNS.map((column) => [column, column === 'channel' ? 'paper' : '']))] },
        null,
        2,
      )}\n`,
    },
    openData: {
      tallyJson: `${JSON.stringify(tally, null, 2)}\n`,
      index: `/${OPEN_DATA.index}`,
      full: `/${OPEN_DATA.full}`,
    },
    skippedSignatures: skipped,
    deliveries,
    addressees,
    letterNote: historicalNote(letterVersion, addressees),
  };
  return {
    data,
    bulk: {
      newest,
      perPage: settings.signatures_per_page,
      volumeSize: settings.delivery_volume_size,
      html,
    },
  };
}

/**
 * I/O part, for .eleventy.ts: reads settings (PETITION_SETTINGS or content/settings.json), the
 * letter and the signatures folder (SIGNATURES_DIR or signatures/), and warns about every
 * skipped file by name without stopping the build.
 */
export async function loadSiteData(
  env: NodeJS.ProcessEnv,
  projectRoot: string,
  warn: (message: string) => void,
): Promise<SiteBuild> {
  const settingsPath = env.PETITION_SETTINGS
    ? path.resolve(projectRoot, env.PETITION_SETTINGS)
    : path.join(projectRoot, 'content/settings.json');
  const settings = resolveSettings(JSON.parse(await readFile(settingsPath, 'utf8')), env);
  const { records, skipped, directory } = await loadRecords(env, projectRoot, warn);
  // warn prints through inertLogText (.eleventy.ts): a path or problem is never a workflow command.
  for (const { file, problem } of skipped) warn(`Skipped signature file ${path.join(directory, file)}: ${problem}`);
  const letterText = await readFile(path.join(projectRoot, 'content/letter.md'), 'utf8');
  const catalogs = await readCatalogs(projectRoot, settings.language);
  const translatedLetters: Record<string, string> = {};
  const translatedHomes: Record<string, Record<string, unknown>> = {};
  for (const catalog of catalogs.slice(1)) {
    const folder = path.join(projectRoot, 'content', catalog.language);
    const translation = await readFile(path.join(folder, 'letter.md'), 'utf8').catch(() => undefined);
    if (translation !== undefined) translatedLetters[catalog.language] = translation;
    const home = await readFile(path.join(folder, 'index.md'), 'utf8').catch(() => undefined);
    if (home !== undefined) translatedHomes[catalog.language] = matter(home, {}).data;
  }
  const letterVersions = await readLetterVersions(projectRoot, markdown);
  const deliveries = await readPublishedDeliveries(path.join(projectRoot, DELIVERIES_FOLDER));
  return buildSiteData(
    settings,
    records,
    letterText,
    buildTime(env),
    skipped,
    { catalogs, translatedLetters, letterVersions, translatedHomes },
    deliveries,
  );
}

/**
 * The build's "now": SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) when set,
 * so that two builds of the same commit are byte for byte the same; the clock otherwise.
 */
export function buildTime(env: NodeJS.ProcessEnv): Date {
  const epoch = env.SOURCE_DATE_EPOCH?.trim();
  if (!epoch) return new Date();
  if (!/^\d{1,12}$/.test(epoch)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${epoch}".`);
  return new Date(Number(epoch) * 1000);
}

/**
 * The signatures: from the folder (SIGNATURES_DIR or signatures/), or with PETITION_SIGNATURES=git
 * from the commit checked out, through git, reusing the records cached in PETITION_RECORD_CACHE
 * (scripts/store/load-signatures-git.ts; the Pages workflow's way), fetching missing files with
 * PETITION_GIT_TOKEN when set. PETITION_SIGNATURES_REPOSITORY names another repository to read
 * (tests and the benchmark).
 */
async function loadRecords(
  env: NodeJS.ProcessEnv,
  projectRoot: string,
  warn: (message: string) => void,
): Promise<LoadedSignatures & { directory: string }> {
  const blocked = blockedAccountIds(projectRoot);
  if (env.PETITION_SIGNATURES !== 'git') {
    const directory = signaturesDirectory(env, projectRoot);
    return { ...(await loadSignatures(directory, { blocked })), directory };
  }
  const repository = path.resolve(projectRoot, env.PETITION_SIGNATURES_REPOSITORY?.trim() || '.');
  const cacheFile = env.PETITION_RECORD_CACHE?.trim()
    ? path.resolve(projectRoot, env.PETITION_RECORD_CACHE)
    : undefined;
  const { records, skipped, stats } = await loadSignaturesFromGit({
    repository,
    folder: 'signatures',
    cacheFile,
    blocked,
    ...(env.PETITION_GIT_TOKEN ? { env: gitTokenEnv(env.PETITION_GIT_TOKEN) } : {}),
  });
  // A line in the build's log, not a warning: what the cache saved. Paths and reasons come from
  // the cache, which anyone with a job on the default branch can write: printed inertly.
  const { rejected } = stats;
  console.log(
    inertLogText(
      `[petition] Signatures read through git: ${stats.reused} from the record cache, ${stats.read} read` +
        (stats.coldBecause ? ` (${stats.coldBecause})` : '') +
        `, commit ${stats.commit}`,
      500,
    ),
  );
  const unused = rejected.notInTree + rejected.otherBlob + rejected.altered + rejected.malformed;
  if (unused > 0) {
    const line =
      `Record cache rows not used: ${rejected.notInTree} for paths not in the tree, ${rejected.otherBlob} for files changed since, ` +
      `${rejected.altered} whose text does not match its blob id, ${rejected.malformed} malformed or repeated` +
      ` (first: ${rejected.examples.join('; ')})`;
    // Altered or malformed rows are not what any build writes: a warning, not just a line.
    if (rejected.altered + rejected.malformed > 0)
      warn(`The cache may have been tampered with; nothing of it was published. ${line}`);
    else console.log(inertLogText(`[petition] ${line}`, 1000));
  }
  if (cacheFile === undefined)
    warn('PETITION_SIGNATURES=git without PETITION_RECORD_CACHE: every file is read each build.');
  return { records, skipped, directory: path.join(repository, 'signatures') };
}

/** Where a maintainer commits the manifests of deliveries made (docs/maintainers.md, "Deliver the letter"). */
export const DELIVERIES_FOLDER = 'content/deliveries';

/** Reads the published manifests; a broken one stops the build, as a broken settings file does. */
export async function readPublishedDeliveries(folder: string): Promise<PublishedDelivery[]> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const deliveries: PublishedDelivery[] = [];
  for (const file of names) {
    const bytes = await readFile(path.join(folder, file));
    let manifest: Record<string, unknown>;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${DELIVERIES_FOLDER}/${file} is not JSON: copy the packet's manifest.json unchanged.`);
    }
    if (manifest.format !== 'petition-delivery/1' || typeof manifest.as_of !== 'string')
      throw new Error(`${DELIVERIES_FOLDER}/${file} is not a delivery manifest (format "petition-delivery/1").`);
    deliveries.push({
      file,
      url: `/deliveries/${file}`,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      as_of: manifest.as_of,
      commit: String(manifest.commit ?? ''),
      signature_count: Number(manifest.signature_count ?? 0),
      signatures_digest: String(manifest.signatures_digest ?? ''),
      volume_count: Number(manifest.volume_count ?? 0),
    });
  }
  return deliveries.sort((a, b) => (a.as_of < b.as_of ? 1 : a.as_of > b.as_of ? -1 : 0));
}
