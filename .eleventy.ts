/**
 * Eleventy configuration: registers plugins, filters and global data kept in scripts/site/.
 * Always passed explicitly (--config=.eleventy.ts): Eleventy does not look for a .ts config.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addLanguageFilters } from './scripts/site/languages.ts';
import { readCatalogs } from './scripts/store/catalogs.ts';
import { assertDerivedUpToDate } from './scripts/store/derived.ts';
import { ContentError } from './scripts/core/i18n.ts';
import { addFeeds } from './scripts/site/feeds.ts';
import { addUpdateCollections } from './scripts/site/collections.ts';
import { loadSiteData } from './scripts/site/load-site-data.ts';
import { inertLogText } from './scripts/core/text.ts';
import { addPictures } from './scripts/site/pictures/eleventy.ts';
import { addPageFilters } from './scripts/site/eleventy-filters.ts';
import { addOutputSteps, addPathPrefix, addSourceFiles } from './scripts/site/eleventy-output.ts';

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export default async function configure(eleventyConfig: any) {
  try {
    return await configureSite(eleventyConfig);
  } catch (error) {
    // A mistake in the petition's own files (a language file without a key, derived files out of
    // date): one line that names the file, not Eleventy's wrapper and a stack trace.
    if (error instanceof ContentError) {
      console.error(`[petition] ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function configureSite(eleventyConfig: any) {
  // Locally, the issue forms, the letter archive and the chooser's link must follow the content
  // (`npm run derive`). On GitHub the "Derived files" workflow commits them after a push, and the
  // Pages build checks out content/ and scripts/ only, so it does not ask.
  if (process.env.GITHUB_ACTIONS !== 'true' && process.env.PETITION_DERIVED_CHECK !== 'off')
    await assertDerivedUpToDate(projectRoot);
  // Warnings name files and problems that strangers' files (or a forged cache) put there: one
  // inert line each, so nothing can start a workflow command (a line beginning "::").
  const { data, bulk } = await loadSiteData(process.env, projectRoot, (message) =>
    console.warn(inertLogText(`[petition] ${message}`, 1000)),
  );
  const { settings } = data;

  for (const [key, value] of Object.entries(data)) eleventyConfig.addGlobalData(key, value);

  // Signer text is printed only through {{ }}, which must escape it.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
  // t, tm, lurl, formatNumber, formatDate, countryName: in the page's language (scripts/site/languages.ts).
  const catalogs = await readCatalogs(projectRoot, settings.language);
  addLanguageFilters(eleventyConfig, catalogs, data.languages, data.petitions);
  // Pages of the default language; content/<code>/<code>.11tydata.json and pagination over
  // `languages` override it.
  eleventyConfig.addGlobalData('lang', settings.language);
  // isoDate, recipientLine, openingSentence, absolute, markdownify…: scripts/site/eleventy-filters.ts.
  addPageFilters(eleventyConfig, data);
  // Map, chart, share cards, counter badge, poster QR code: scripts/site/pictures/.
  // PETITION_PICTURE_CACHE: a folder of drawn share cards reused between local builds (the tests set it).
  await addPictures(
    eleventyConfig,
    data,
    projectRoot,
    catalogs,
    process.env.PETITION_PICTURE_CACHE?.trim() || undefined,
  );
  // The path prefix, the output folder's steps and the copied files: scripts/site/eleventy-output.ts.
  addPathPrefix(eleventyConfig, settings.path_prefix, process.env);
  // One Atom and one JSON feed per language (scripts/site/feeds.ts), and the updates per language.
  addFeeds(eleventyConfig, data, catalogs);
  addUpdateCollections(eleventyConfig, data.languages);
  addOutputSteps(eleventyConfig, projectRoot, bulk, data.tally);
  addSourceFiles(eleventyConfig, projectRoot, settings, process.env);

  return {
    dir: { input: 'content', includes: '_includes', layouts: '_layouts', output: '_site' },
    pathPrefix: settings.path_prefix,
    markdownTemplateEngine: 'njk',
    htmlTemplateEngine: 'njk',
    templateFormats: ['md', 'njk'],
  };
}
