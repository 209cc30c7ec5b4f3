/**
 * Everything the templates need, computed once per build from settings, the letter and the
 * signatures folder. Signatures are DATA: they are never handed to a template engine as
 * templates, only printed through autoescaped expressions.
 */
import { readFile } from 'node:fs/promises';
import matter from 'gray-matter';
import MarkdownIt from 'markdown-it';
import path from 'node:path';
import { allCountries, countryName } from '../core/countries.ts';
import { resolveSettings, closingInstant, siteBaseUrl, type Settings } from '../core/settings.ts';
import type { SignatureRecord } from '../core/signature-file.ts';
import { signatureEntryId } from '../core/signature-list.ts';
import { computeTally, letterDigest, newestFirst, type Tally } from '../core/tally.ts';
import {
  blockedAccountIds,
  loadSignatures,
  signaturesDirectory,
  type SkippedSignatureFile,
} from '../load-signatures.ts';
import { readCatalogs } from '../issue-forms.ts';
import { format, type Catalog } from '../core/i18n.ts';
import { templateFileName } from '../core/issue-templates.ts';
import { siteLanguages, type SiteLanguage } from './languages.ts';
import { readLetterVersions, type LetterVersion } from './letter-versions.ts';
import { signaturesCsv, signaturesJson } from './open-data.ts';
import { LIST_REASON_CHARACTERS, shorten, signerHtmlRenderer } from './signer-html.ts';

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
}

/** Our own Markdown (the letter), never signer text. */
export const markdown = new MarkdownIt({ html: true, typographer: true });

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
    ...(typeof data.written === 'string' ? { written: data.written } : {}),
    ...(typeof data.since === 'string' ? { since: data.since } : {}),
  };
}

/**
 * One page of the full list: numbered from the oldest signature, entries shown newest first.
 * The entries come ready as HTML (scripts/site/signer-html.ts): a Nunjucks loop over every
 * signature cost about 15 µs per signature at 100,000 signatures.
 */
export interface SignatureListPage {
  number: number;
  url: string;
  /** How many signatures the page lists. */
  size: number;
  /** The page's `<li>` entries, newest first, as signer-list.njk writes them; signer text escaped. */
  entriesHtml: string;
  firstRank: number;
  lastRank: number;
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
  /** The delivery letter's table rows, every signature newest first, signer text escaped. */
  deliveryRowsHtml: string;
  countries: { code: string; name: string }[];
  letterSha256: string;
  letter: LetterData;
  openData: { tallyJson: string; signaturesCsv: string; signaturesJson: string };
  skippedSignatures: SkippedSignatureFile[];
  /** The site's languages, default first (scripts/site/languages.ts). */
  languages: SiteLanguage[];
  /** Each language's letter: its own translation (content/<code>/letter.md) or, lacking one, the default's. */
  letters: Record<string, LetterData & { sha256: string; translated: boolean }>;
  /** Every version of the letter anyone may have signed (content/letter-versions/). */
  letterVersions: LetterVersion[];
  /** The petition's title and description in each language: settings for the default, content/<code>/index.md's front matter for the others. */
  petitions: Record<string, { title: string; description: string }>;
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

function view(record: SignatureRecord, repository: string): SignatureView {
  return {
    id: signatureEntryId(record.user_id),
    name: record.name,
    country: record.country,
    countryName: countryName(record.country),
    date: record.signed_at.slice(0, 10),
    signedAt: record.signed_at,
    reason: record.reason,
    reasonShort: shorten(record.reason, LIST_REASON_CHARACTERS),
    issue: record.issue,
    issueUrl: `https://github.com/${repository}/issues/${record.issue}`,
  };
}

/**
 * Pure part: turns settings, records and the letter text into the templates' data.
 * `records` may be in any order and must be one per user id.
 */
export function buildSiteData(
  settings: Settings,
  records: readonly SignatureRecord[],
  letterText: string,
  now: Date,
  skipped: SkippedSignatureFile[] = [],
  texts: SiteTexts = { catalogs: [], translatedLetters: {}, letterVersions: [] },
): SiteData {
  const tally = computeTally(records, settings, now);
  const newest = newestFirst(records);
  const languages = siteLanguages(texts.catalogs);
  const html = signerHtmlRenderer(
    settings.repository,
    languages[0]?.locale,
    texts.catalogs[0] ? format(texts.catalogs[0], ['site', 'signatures', 'receipt'], { issue: '{issue}' }) : undefined,
  );

  // Page n holds ranks (n-1)·perPage+1 … n·perPage, rank 1 being the oldest signature, so
  // newest[count - rank] is the signature of a given rank.
  const perPage = settings.signatures_per_page;
  const count = newest.length;
  const signatureListPages: SignatureListPage[] = [];
  for (let number = 1, firstRank = 1; firstRank <= count || number === 1; number += 1, firstRank += perPage) {
    const lastRank = Math.min(count, firstRank + perPage - 1);
    let entriesHtml = '';
    for (let rank = lastRank; rank >= firstRank; rank -= 1) entriesHtml += html.listItem(newest[count - rank]!);
    signatureListPages.push({
      number,
      url: `/signatures/${number}/`,
      size: Math.max(0, lastRank - firstRank + 1),
      entriesHtml,
      firstRank,
      lastRank,
    });
    if (count === 0) break;
  }
  const deliveryRowsHtml = newest.map((record) => html.deliveryRow(record)).join('');

  const repositoryUrl = `https://github.com/${settings.repository}`;
  const letter = parseLetter(letterText);
  const letterSha256 = letterDigest(letterText);
  const letters: SiteData['letters'] = {};
  const petitions: SiteData['petitions'] = {};
  for (const language of languages) {
    const home = language.isDefault ? {} : (texts.translatedHomes?.[language.code] ?? {});
    petitions[language.code] = {
      title: typeof home.title === 'string' ? home.title : settings.title,
      description: typeof home.description === 'string' ? home.description : settings.description,
    };
    const translation = language.isDefault ? undefined : texts.translatedLetters[language.code];
    letters[language.code] = translation
      ? { ...parseLetter(translation), sha256: letterDigest(translation), translated: true }
      : { ...letter, sha256: letterSha256, translated: false };
  }
  return {
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
    deliveryRowsHtml,
    countries: allCountries(),
    letterSha256,
    letter,
    languages,
    letters,
    letterVersions: texts.letterVersions,
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
    openData: {
      tallyJson: `${JSON.stringify(tally, null, 2)}\n`,
      signaturesCsv: signaturesCsv(newest),
      signaturesJson: signaturesJson(newest),
    },
    skippedSignatures: skipped,
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
): Promise<SiteData> {
  const settingsPath = env.PETITION_SETTINGS
    ? path.resolve(projectRoot, env.PETITION_SETTINGS)
    : path.join(projectRoot, 'content/settings.json');
  const settings = resolveSettings(JSON.parse(await readFile(settingsPath, 'utf8')), env);
  const directory = signaturesDirectory(env, projectRoot);
  const { records, skipped } = await loadSignatures(directory, { blocked: blockedAccountIds(projectRoot) });
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
  const letterVersions = await readLetterVersions(path.join(projectRoot, 'content/letter-versions'), markdown);
  return buildSiteData(settings, records, letterText, new Date(), skipped, {
    catalogs,
    translatedLetters,
    letterVersions,
    translatedHomes,
  });
}
