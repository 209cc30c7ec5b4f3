/**
 * What .eleventy.ts registers about the output: the path prefix on every page, the output
 * folder emptied before a full build and the list pages and open data written after it, and the
 * files copied as they are.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { HtmlBasePlugin } from '@11ty/eleventy';
import type { Settings } from '../core/settings.ts';
import type { Tally } from '../core/tally.ts';
import type { BulkSource } from './bulk-pages.ts';
import { writeFramedPages, writeOpenData, writeReceiptData, type WrittenPage } from './bulk-output.ts';
import { receiptPages } from './receipt-pages.ts';
import { bulkPageCounts } from './bulk-pages.ts';
import { collectGarbageBetweenStages } from './collect-garbage.ts';
import { compactAssets } from './compact-assets.ts';
import { pathPrefixer } from './path-prefix.ts';

// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EleventyConfig = any;

/**
 * The path prefix on every root-relative URL of every page (scripts/site/path-prefix.ts), as
 * HtmlBasePlugin adds it; PETITION_HTML_BASE=plugin has the plugin do it, for comparison. The
 * plugin stays for the feeds' absolute URLs (the feed plugin needs it, and the first one added
 * is the one kept): with baseHref "/" it rewrites only what the feeds ask it to.
 */
export function addPathPrefix(eleventyConfig: EleventyConfig, pathPrefix: string, env: NodeJS.ProcessEnv): void {
  if (env.PETITION_HTML_BASE === 'plugin') {
    eleventyConfig.addPlugin(HtmlBasePlugin);
    return;
  }
  eleventyConfig.addPlugin(HtmlBasePlugin, { baseHref: '/' });
  const addPrefix = pathPrefixer(pathPrefix, eleventyConfig.getFilter('url'));
  eleventyConfig.addTransform(
    'path-prefix',
    function (this: { page: { outputPath?: string | false } }, content: string) {
      const output = this.page.outputPath;
      return typeof output === 'string' && output.endsWith('.html') ? addPrefix(content) : content;
    },
  );
}

/**
 * Before a full build, empties the output folder; after any build, writes the list and receipt
 * pages, the open data and the receipt data straight to it.
 */
export function addOutputSteps(
  eleventyConfig: EleventyConfig,
  projectRoot: string,
  bulk: BulkSource,
  tally: Tally,
): void {
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
      await rm(safeOutputFolder(projectRoot, directories.output, directories.input), { recursive: true, force: true });
    },
  );

  // The list and receipt pages cut from their frames, the open data and the receipt data, written
  // straight to the output folder after Eleventy wrote the pages' frames (scripts/site/bulk-pages.ts
  // explains why).
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
      collectGarbageBetweenStages(bulk.newest.length);
      const counts = bulkPageCounts(bulk.newest.length, bulk.perPage, bulk.volumeSize);
      const expected = {
        // One list page even before anyone signs: it says so.
        signatures: Math.max(1, counts.list),
        find: receiptPages(bulk.newest).length,
        delivery: counts.volume,
      };
      const complete = !incremental;
      const output = path.resolve(projectRoot, directories.output);
      await Promise.all([
        writeFramedPages(results, expected, complete),
        writeOpenData(output, bulk, tally).then(() => writeReceiptData(output, bulk)),
      ]);
    },
  );
}

/**
 * The files copied as they are (assets, delivery manifests), the ones compacted on the way, what
 * a watching build watches and what it ignores, and the local server's port.
 */
export function addSourceFiles(
  eleventyConfig: EleventyConfig,
  projectRoot: string,
  settings: Settings,
  env: NodeJS.ProcessEnv,
): void {
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
    path.relative(projectRoot, path.resolve(projectRoot, env.SIGNATURES_DIR || 'signatures')),
  );
  eleventyConfig.ignores.add('content/settings.json');
  // Archived letters are data (scripts/site/letter-versions.ts), published by content/letter/versions.njk.
  eleventyConfig.ignores.add('content/letter-versions/**');
  eleventyConfig.setServerOptions({ port: Number(env.PORT) || 8080 });
}

/**
 * The output folder, absolute, after checking that emptying it cannot delete the project or its
 * content (an --output=. typed by mistake).
 */
export function safeOutputFolder(projectRoot: string, output: string, input: string): string {
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
