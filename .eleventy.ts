/**
 * Eleventy configuration: registers plugins, filters and global data kept in scripts/site/.
 * Always passed explicitly (--config=.eleventy.ts): Eleventy does not look for a .ts config.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HtmlBasePlugin } from '@11ty/eleventy';
import { feedPlugin } from '@11ty/eleventy-plugin-rss';
import { formatDate, formatNumber, isoDate, makeAbsoluteUrl, plural } from './scripts/site/filters.ts';
import { loadSiteData, markdown } from './scripts/site/site-data.ts';
import { addPictures } from './scripts/site/pictures/eleventy.ts';

const projectRoot = path.dirname(fileURLToPath(import.meta.url));

// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export default async function configure(eleventyConfig: any) {
  const data = await loadSiteData(process.env, projectRoot, (message) => console.warn(`[petition] ${message}`));
  const { settings } = data;

  for (const [key, value] of Object.entries(data)) eleventyConfig.addGlobalData(key, value);

  // Signer text is printed only through {{ }}, which must escape it.
  eleventyConfig.setNunjucksEnvironmentOptions({ autoescape: true, throwOnUndefined: false });
  eleventyConfig.addFilter('formatNumber', formatNumber);
  eleventyConfig.addFilter('formatDate', formatDate);
  eleventyConfig.addFilter('isoDate', isoDate);
  eleventyConfig.addFilter('plural', plural);
  eleventyConfig.addFilter('absolute', makeAbsoluteUrl(data.site.baseUrl));
  eleventyConfig.addFilter('markdownify', (value: string) => markdown.render(value ?? ''));
  eleventyConfig.setLibrary('md', markdown);
  eleventyConfig.addFilter('encodeUri', (value: string) => encodeURIComponent(value));
  // Map, chart, share cards, counter badge, poster QR code: scripts/site/pictures/.
  await addPictures(eleventyConfig, data, projectRoot);

  eleventyConfig.addPlugin(HtmlBasePlugin);
  const feedMetadata = {
    language: settings.language,
    title: `${settings.title}: updates`,
    subtitle: `News about the petition “${settings.title}”.`,
    description: `News about the petition “${settings.title}”.`,
    // The origin only: the plugin adds the path prefix itself, or project-site URLs come out doubled.
    base: `${settings.site_url}/`,
    author: { name: `${settings.title} organisers` },
  };
  eleventyConfig.addPlugin(feedPlugin, {
    type: 'atom',
    outputPath: '/updates/feed.xml',
    collection: { name: 'updates', limit: 0 },
    metadata: feedMetadata,
  });
  eleventyConfig.addPlugin(feedPlugin, {
    type: 'json',
    outputPath: '/updates/feed.json',
    collection: { name: 'updates', limit: 0 },
    metadata: feedMetadata,
  });

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

  eleventyConfig.addPassthroughCopy({ 'content/assets': 'assets' });
  // Manifests of deliveries made, published byte for byte so their SHA-256 can be checked.
  eleventyConfig.addPassthroughCopy({ 'content/deliveries': 'deliveries' });
  eleventyConfig.addWatchTarget(
    path.relative(projectRoot, path.resolve(projectRoot, process.env.SIGNATURES_DIR || 'signatures')),
  );
  eleventyConfig.ignores.add('content/settings.json');
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
