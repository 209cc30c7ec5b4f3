/**
 * Eleventy configuration: registers plugins, filters and global data kept in scripts/site/.
 * Always passed explicitly (--config=.eleventy.ts): Eleventy does not look for a .ts config.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlBasePlugin } from '@11ty/eleventy';
import { isoDate, makeAbsoluteUrl } from './scripts/core/format.ts';
import { defaultSender } from './scripts/core/settings.ts';
import { addLanguageFilters } from './scripts/site/languages.ts';
import { readCatalogs } from './scripts/store/catalogs.ts';
import { assertDerivedUpToDate } from './scripts/store/derived.ts';
import { ContentError, formatContentMessage } from './scripts/core/i18n.ts';
import { recipientLine } from './scripts/core/letter.ts';
import { addFeeds } from './scripts/site/feeds.ts';
import { addUpdateCollections } from './scripts/site/collections.ts';
import { compactAssets } from './scripts/site/compact-assets.ts';
import { markdown } from './scripts/site/letter-data.ts';
import { loadSiteData } from './scripts/site/load-site-data.ts';
import { inertLogText } from './scripts/core/text.ts';
import { addPictures } from './scripts/site/pictures/eleventy.ts';
import { writeBulkPages, writeOpenData, type WrittenPage } from './scripts/site/bulk-output.ts';
import { pathPrefixer } from './scripts/site/path-prefix.ts';

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
  eleventyConfig.addFilter('isoDate', isoDate);
  // "Mayor of Riverside, Jane Doe", or one part alone: an institution has no personal name.
  eleventyConfig.addFilter('recipientLine', recipientLine);
  // A letter's own opening sentence (front matter `opening`), an ICU message, in the page's language.
  eleventyConfig.addFilter(
    'openingSentence',
    function (
      this: { ctx?: { lang?: unknown; language?: { code?: unknown } }; page?: { inputPath?: string } },
      source: string,
      values: Record<string, number>,
    ) {
      const code = this.ctx?.language?.code ?? this.ctx?.lang;
      const language = data.languages.find((candidate) => candidate.code === code) ?? data.languages[0]!;
      const where = `${String(this.page?.inputPath ?? 'content/letter.md').replace(/^\.\//, '')}: opening`;
      return formatContentMessage(source, language.locale, values, where);
    },
  );
  eleventyConfig.addFilter('defaultSender', defaultSender);
  eleventyConfig.addFilter('absolute', makeAbsoluteUrl(data.site.baseUrl));
  eleventyConfig.addFilter('markdownify', (value: string) => markdown.render(value ?? ''));
  eleventyConfig.setLibrary('md', markdown);
  eleventyConfig.addFilter('encodeUri', (value: string) => encodeURIComponent(value));
  // Map, chart, share cards, counter badge, poster QR code: scripts/site/pictures/.
  await addPictures(eleventyConfig, data, projectRoot, catalogs);

  // The path prefix on every root-relative URL of every page (scripts/site/path-prefix.ts), as
  // HtmlBasePlugin adds it; PETITION_HTML_BASE=plugin has the plugin do it, for comparison. The
  // plugin stays for the feeds' absolute URLs (the feed plugin needs it, and the first one added
  // is the one kept): with baseHref "/" it rewrites only what the feeds ask it to.
  if (process.env.PETITION_HTML_BASE === 'plugin') eleventyConfig.addPlugin(HtmlBasePlugin);
  else {
    eleventyConfig.addPlugin(HtmlBasePlugin, { baseHref: '/' });
    const addPrefix = pathPrefixer(settings.path_prefix, eleventyConfig.getFilter('url'));
    eleventyConfig.addTransform(
      'path-prefix',
      function (this: { page: { outputPath?: string | false } }, content: string) {
        const output = this.page.outputPath;
        return typeof output === 'string' && output.endsWith('.html') ? addPrefix(content) : content;
      },
    );
  }
  // One Atom and one JSON feed per language (scripts/site/feeds.ts), and the updates per language.
  addFeeds(eleventyConfig, data, catalogs);
  addUpdateCollections(eleventyConfig, data.languages);

  // Every full build starts from an empty output folder: Eleventy never deletes what an earlier
  // build wrote, so a demo's 3,000 sample signers' list pages outlived it in _site/ and the site
  // contradicted itself (0 on the home page, 3,000 on /signatures/3/). An incremental rebuild
  // (--incremental) writes only what changed, so it keeps the folder.
  eleventyConfig.on(
    'eleventy.before',
    async ({
      directories,
      incremental,
      outputMode,
    }: {
      directories: { output: string; input: string };
      incremental: boolean;
      outputMode: string;
    }) => {
      if (incremental || outputMode !== 'fs') return;
      await rm(safeOutputFolder(directories.output, directories.input), { recursive: true, force: true });
    },
  );

  // The list pages' and volumes' entries and the open data, written straight to the output
  // folder after Eleventy wrote the pages' frames (scripts/site/bulk-pages.ts explains why).
  eleventyConfig.on(
    'eleventy.after',
    async ({
      directories,
      results,
      incremental,
      outputMode,
    }: {
      directories: { output: string };
      results: WrittenPage[];
      incremental?: boolean;
      outputMode: string;
    }) => {
      if (outputMode !== 'fs') return;
      await Promise.all([
        writeBulkPages(results, bulk, !incremental),
        writeOpenData(path.resolve(projectRoot, directories.output), bulk, data.tally),
      ]);
    },
  );

  // content/assets/images/ holds lead images: only the one settings.image names is published
  // (none with "image": ""), so a fork does not keep serving the template's picture.
  const leadImage = settings.image ? path.posix.normalize(settings.image).replace(/^assets\//, '') : undefined;
  eleventyConfig.addPassthroughCopy(
    { 'content/assets': 'assets' },
    { filter: (file: string) => !/^images(\/|$)/.test(file) || file === 'images' || file === leadImage },
  );
  // Manifests of deliveries made, published byte for byte so their SHA-256 can be checked.
  eleventyConfig.addPassthroughCopy({ 'content/deliveries': 'deliveries' });
  compactAssets(eleventyConfig, [
    'assets/js/sign-form.js',
    'assets/js/signature-list.js',
    'assets/js/not-found.js',
    'assets/site.css',
    'assets/printables.css',
  ]);
  eleventyConfig.addWatchTarget(
    path.relative(projectRoot, path.resolve(projectRoot, process.env.SIGNATURES_DIR || 'signatures')),
  );
  eleventyConfig.ignores.add('content/settings.json');
  // Archived letters are data (scripts/site/letter-versions.ts), published by content/letter/versions.njk.
  eleventyConfig.ignores.add('content/letter-versions/**');
  eleventyConfig.setServerOptions({ port: Number(process.env.PORT) || 8080 });

  return {
    dir: { input: 'content', includes: '_includes', layouts: '_layouts', output: '_site' },
    pathPrefix: settings.path_prefix,
    markdownTemplateEngine: 'njk',
    htmlTemplateEngine: 'njk',
    templateFormats: ['md', 'njk'],
  };
}

/**
 * The output folder, absolute, after checking that emptying it cannot delete the project or its
 * content (an --output=. typed by mistake).
 */
function safeOutputFolder(output: string, input: string): string {
  const folder = path.resolve(projectRoot, output);
  const inside = (parent: string, child: string) => {
    const relative = path.relative(parent, child);
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  if (
    inside(folder, projectRoot) ||
    inside(folder, path.resolve(projectRoot, input)) ||
    folder === path.parse(folder).root
  )
    throw new Error(`Refusing to empty the output folder ${folder}: it holds the project or its content.`);
  return folder;
}
