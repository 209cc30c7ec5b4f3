import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFramedPages } from '../../scripts/site/bulk-output.ts';
import { LIST_PAGE_TITLE, listPageFiles } from '../../scripts/site/list-page-files.ts';

/** A frame as content/signatures/pages.njk renders it, with a path prefix and in Russian. */
function frame(pages: Array<[number, string, string]>): string {
  const head =
    `<!doctype html><html lang="ru"><head><title>${LIST_PAGE_TITLE} · Петиция</title>` +
    '<link rel="canonical" href="https://example.org/p/ru/signatures/page-frame/">' +
    '<link rel="alternate" hreflang="en" href="https://example.org/p/signatures/page-frame/">' +
    `<meta property="og:title" content="${LIST_PAGE_TITLE} · Петиция"></head><body><main>\n`;
  const bodies = pages.map(([n, title, body]) => `\n<!--petition-list-page:${n}:${title}-->\n${body}\n`).join('');
  return `${head}${bodies}\n<!--petition-list-end-->\n</main><a href="/p/ru/signatures/page-frame/">RU</a></body></html>`;
}

describe('the numbered list pages cut from the frame Eleventy rendered once', () => {
  it('gives receipt pages their keys as written ("042") and no page at all when the frame holds none', () => {
    const receipts = frame([[42, 'Receipts 042', '<ul></ul>']])
      .replace('petition-list-page:42:', 'petition-list-page:042:')
      .replaceAll('/signatures/page-frame/', '/signatures/find/page-frame/');
    const [page] = [...listPageFiles(receipts, 'find')];
    expect(page!.key).toBe('042');
    expect(page!.html).toContain('href="https://example.org/p/ru/signatures/find/042/"');
    const empty = frame([]);
    expect([...listPageFiles(empty)]).toEqual([]);
  });

  it('gives each page its own body, title and address everywhere the frame names itself', () => {
    const pages = [
      ...listPageFiles(
        frame([
          [1, 'Страница 1', '<p>one</p>'],
          [2, 'Страница 2 &amp; «b»', '<p>two</p>'],
        ]),
      ),
    ];
    expect(pages.map((page) => page.key)).toEqual(['1', '2']);
    const second = pages[1]!.html;
    expect(second).toContain('<title>Страница 2 &amp; «b» · Петиция</title>');
    expect(second).toContain('content="Страница 2 &amp; «b» · Петиция"');
    expect(second).toContain('href="https://example.org/p/ru/signatures/2/"');
    expect(second).toContain('hreflang="en" href="https://example.org/p/signatures/2/"');
    expect(second).toContain('<a href="/p/ru/signatures/2/">RU</a>');
    expect(second).toContain('<p>two</p>');
    expect(second).not.toContain('<p>one</p>');
    expect(second).not.toMatch(/page-frame|petition-list|@@/);
  });

  it('refuses a frame whose template lost its markers or wrote a malformed one', () => {
    expect(() => [...listPageFiles('<html><title>x</title></html>')]).toThrow(/petition-list-end/);
    expect(() => [...listPageFiles(frame([[1, 'x', 'y']]).replace('list-page:1:', 'list-page:1a:'))]).toThrow(
      /malformed page marker/,
    );
    const withoutTitle = frame([[1, 'a', 'b']]).replaceAll(LIST_PAGE_TITLE, 'Signatures');
    expect(() => [...listPageFiles(withoutTitle)]).toThrow(/must set it as the title/);
  });

  describe('written to the output folder', () => {
    let output: string;
    beforeEach(async () => {
      output = await mkdtemp(path.join(os.tmpdir(), 'petition-list-pages-'));
    });
    afterEach(async () => {
      await rm(output, { recursive: true, force: true });
    });

    it('writes every page beside the frame and does not publish the frame', async () => {
      const outputPath = path.join(output, 'ru/signatures/page-frame/index.html');
      await mkdir(path.dirname(outputPath), { recursive: true });
      const content = frame([
        [1, 'Страница 1', '<p>one</p>'],
        [2, 'Страница 2', '<p>two</p>'],
      ]);
      await writeFile(outputPath, content);
      await writeFramedPages([{ outputPath, content }], { signatures: 2 }, true);
      expect((await readdir(path.join(output, 'ru/signatures'))).sort()).toEqual(['1', '2']);
      expect(await readFile(path.join(output, 'ru/signatures/2/index.html'), 'utf8')).toContain('<p>two</p>');
    });

    it('stops the build when a frame holds fewer pages than the list has', async () => {
      const outputPath = path.join(output, 'signatures/page-frame/index.html');
      await mkdir(path.dirname(outputPath), { recursive: true });
      const content = frame([[1, 'Page 1', '<p>one</p>']]);
      await expect(writeFramedPages([{ outputPath, content }], { signatures: 3 }, true)).rejects.toThrow(
        /held 1 pages, not 3/,
      );
      await expect(writeFramedPages([], { signatures: 3 }, true)).rejects.toThrow(
        /no frame of the signatures pages: content\/signatures\/pages\.njk/,
      );
      // The receipt pages' frame too, once anyone has a receipt page.
      await expect(writeFramedPages([{ outputPath, content }], { signatures: 1, find: 2 }, true)).rejects.toThrow(
        /no frame of the find pages: content\/signatures\/find\.njk/,
      );
    });
  });
});
