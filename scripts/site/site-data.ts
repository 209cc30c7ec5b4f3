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
import { BATCH_COLUMNS, channelOf, isOffline, type Channel, type PetitionRecord } from '../core/offline-signature.ts';
import { computeTally, letterDigest, newestFirst, type Tally } from '../core/tally.ts';
import {
  blockedAccountIds,
  loadSignatures,
  signaturesDirectory,
  type SkippedSignatureFile,
} from '../load-signatures.ts';
import { formatNumber } from './filters.ts';
import { signaturesCsv, signaturesJson } from './open-data.ts';
import { qrSvg } from './qr-svg.ts';
import { channelLabel, entryId, LIST_REASON_CHARACTERS, shorten, signerHtmlRenderer } from './signer-html.ts';

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
  channel: Channel;
  /** "on paper, batch …" or "by email, batch …"; "" for GitHub signatures. */
  channelLabel: string;
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
  /** "12,304 signed online through GitHub, 1,210 on paper, 95 by email", or "" when all came through GitHub. */
  channelBreakdown: string;
  letter: LetterData;
  /** The printable signature sheet (content/signature-sheet.njk) and its typing templates. */
  sheet: { qrSvg: string; columns: readonly string[]; csvTemplate: string; jsonTemplate: string };
  openData: { tallyJson: string; signaturesCsv: string; signaturesJson: string };
  skippedSignatures: SkippedSignatureFile[];
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
    channelLabel: channelLabel(record),
    issue: offline ? 0 : record.issue,
    issueUrl: offline ? '' : `https://github.com/${repository}/issues/${record.issue}`,
  };
}

/**
 * Pure part: turns settings, records and the letter text into the templates' data.
 * `records` may be in any order and must be one per user id or offline id.
 */
export function buildSiteData(
  settings: Settings,
  records: readonly PetitionRecord[],
  letterText: string,
  now: Date,
  skipped: SkippedSignatureFile[] = [],
): SiteData {
  const tally = computeTally(records, settings, now);
  const newest = newestFirst(records);
  const html = signerHtmlRenderer(settings.repository);

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
    letterSha256: letterDigest(letterText),
    channelBreakdown: channelBreakdown(tally.signatures_by_channel),
    letter: parseLetter(letterText),
    sheet: {
      qrSvg: qrSvg(siteBaseUrl(settings), `QR code: the petition's address, ${siteBaseUrl(settings)}`),
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
  return buildSiteData(settings, records, letterText, new Date(), skipped);
}
