import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHTML } from 'linkedom';
import { siteFingerprint } from '../../scripts/tooling/bench/build.ts';
import { pathPrefixer } from '../../scripts/site/path-prefix.ts';
import { type BuiltSite } from '../helpers/site.ts';
import { FORM_PREFIX, mixedSite } from '../helpers/shared-builds.ts';

describe('the path prefix on every page', () => {
  let ours: BuiltSite;
  let plugin: BuiltSite;
  beforeAll(async () => {
    // The mixed fixture under a path prefix at a fixed clock (a build other files share), and the same through the plugin.
    [ours, plugin] = await Promise.all([mixedSite(), mixedSite({ PETITION_HTML_BASE: 'plugin' })]);
  });
  afterAll(async () => {
    for (const site of [ours, plugin]) if (site) await rm(path.dirname(site.output), { recursive: true, force: true });
  });

  it('gives every page the same document as Eleventy’s HtmlBasePlugin, and every other file the same bytes', async () => {
    const [mine, theirs] = await Promise.all([siteFingerprint(ours.output), siteFingerprint(plugin.output)]);
    expect([...mine.keys()].sort()).toEqual([...theirs.keys()].sort());
    const differ: string[] = [];
    for (const [file, sha] of mine) {
      if (theirs.get(file) === sha) continue;
      // The plugin writes pages back from a tree: `reversed=""` for `reversed`, other quotes.
      // Parsed, the two must be the same document.
      const parse = async (site: BuiltSite) =>
        parseHTML(await readFile(path.join(site.output, file), 'utf8')).document.documentElement.outerHTML;
      if (!file.endsWith('.html') || (await parse(ours)) !== (await parse(plugin))) differ.push(file);
    }
    expect(differ).toEqual([]);
    expect(await ours.read('signatures/1/index.html')).toContain(`href="${FORM_PREFIX}assets/site.css"`);
  });
});

describe('the path prefixer', () => {
  const prefix = pathPrefixer('/p/', (url) => `filtered:${url}`);

  it('prefixes root-relative URLs of the attributes HtmlBasePlugin handles, and nothing else', () => {
    expect(prefix('<a href="/x/">x</a><img src="/i.png" alt=""><form action="/f"><div data-href="/no">')).toBe(
      '<a href="/p/x/">x</a><img src="/p/i.png" alt=""><form action="/p/f"><div data-href="/no">',
    );
    expect(prefix('<p>href="/text" stays</p><a title="/t" href=\'/q?a=1#b\'>')).toBe(
      '<p>href="/text" stays</p><a title="/t" href=\'/p/q?a=1#b\'>',
    );
  });

  it('hands every URL out of the ordinary to Eleventy’s url filter', () => {
    for (const url of ['https://example.org/', '#main', 'relative/page/', '/a/../b', '//cdn.example/x', '/a//b'])
      expect(prefix(`<a href="${url}">`)).toBe(`<a href="filtered:${url}">`);
  });

  it('stays linear on a hostile page', () => {
    const started = performance.now();
    prefix(`<a href="/${'a/'.repeat(100_000)} ">${'<a '.repeat(50_000)}`);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
