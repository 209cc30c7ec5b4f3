/**
 * The I/O around scripts/site/site-data.ts: reads settings, the letter and its translations, the
 * archived letters, the deliveries and the signatures (from the folder or through git), and hands
 * them to buildSiteData.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import { format } from '../core/i18n.ts';
import { recipientLine } from '../core/letter.ts';
import { resolveSettings } from '../core/settings.ts';
import { inertLogText } from '../core/text.ts';
import {
  blockedAccountIds,
  loadSignatures,
  signaturesDirectory,
  type LoadedSignatures,
} from '../store/load-signatures.ts';
import { loadSignaturesFromGit, trustedRulesFingerprint } from '../store/load-signatures-git.ts';
import { gitTokenEnv } from '../store/signature-store.ts';
import { readCatalogs } from '../store/catalogs.ts';
import { readLetterVersions } from './letter-versions.ts';
import { markdown } from './letter-data.ts';
import { DELIVERIES_FOLDER, readPublishedDeliveries } from './published-deliveries.ts';
import { buildSiteData, type SiteBuild } from './site-data.ts';
import { countWaitingSignatures } from './waiting-signatures.ts';
import { collectGarbageBetweenStages } from './collect-garbage.ts';

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
  const letterVersions = await readLetterVersions(projectRoot, markdown, (language, recipient) => {
    const catalog = catalogs.find((candidate) => candidate.language === language);
    const { office, name } = typeof recipient === 'string' ? {} : recipient;
    return catalog && typeof office === 'string' && typeof name === 'string' && office.trim() && name.trim()
      ? format(catalog, ['site', 'letter', 'recipient'], { office: office.trim(), name: name.trim() })
      : recipientLine(recipient);
  });
  const deliveries = await readPublishedDeliveries(path.join(projectRoot, DELIVERIES_FOLDER));
  const build = buildSiteData(
    settings,
    records,
    letterText,
    buildTime(env),
    skipped,
    { catalogs, translatedLetters, letterVersions, translatedHomes },
    deliveries,
  );
  collectGarbageBetweenStages(records.length);
  // Only the Pages build gives this token (pages.yml, issues: read): every other build leaves it out.
  build.data.waitingSignatures =
    (await countWaitingSignatures(
      { repository: settings.repository, token: env.PETITION_ISSUES_TOKEN, apiUrl: env.GITHUB_API_URL },
      warn,
    )) ?? null;
  return build;
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
 * from the commit checked out, through git, reusing our own builds' records in
 * PETITION_TRUSTED_RECORDS (only ever a file our own workflows wrote) or else the texts cached in
 * PETITION_RECORD_CACHE (scripts/store/load-signatures-git.ts; the Pages workflow's way), fetching missing files with
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
  const trustedFile = env.PETITION_TRUSTED_RECORDS?.trim()
    ? path.resolve(projectRoot, env.PETITION_TRUSTED_RECORDS)
    : undefined;
  const { records, skipped, stats } = await loadSignaturesFromGit({
    repository,
    folder: 'signatures',
    cacheFile,
    ...(trustedFile ? { trusted: { file: trustedFile, rules: await trustedRulesFingerprint(projectRoot) } } : {}),
    blocked,
    ...(env.PETITION_GIT_TOKEN ? { env: gitTokenEnv(env.PETITION_GIT_TOKEN) } : {}),
  });
  // A line in the build's log, not a warning: what the cache saved. Paths and reasons come from
  // the cache, which anyone with a job on the default branch can write: printed inertly.
  const { rejected } = stats;
  console.log(
    inertLogText(
      `[petition] Signatures read through git: ` +
        (trustedFile
          ? `${stats.trusted} from our last build's records` +
            (stats.trustedColdBecause ? ` (${stats.trustedColdBecause})` : '') +
            ', '
          : '') +
        `${stats.reused} from the record cache, ${stats.read} read` +
        (stats.coldBecause && !stats.trusted ? ` (${stats.coldBecause})` : '') +
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
