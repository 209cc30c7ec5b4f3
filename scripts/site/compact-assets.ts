/**
 * Publishes the sign form's script and the stylesheet without their comments and indentation:
 * the Russian home page, with its Cyrillic country suggestions and messages (two bytes a letter),
 * must stay under 50 KB with both, and the comments are for whoever reads content/assets/, not
 * for phones.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Drops whole-line `//` comments and leading indentation. Only whole lines: a `//` inside a line
 * may be in a string ('https://…') or a regular expression. The script has no template literals
 * or multi-line strings, whose lines this would change.
 */
export function compactScript(source: string): string {
  return source
    .split('\n')
    .map((line) => line.trimStart())
    .filter((line) => line !== '' && !line.startsWith('//'))
    .join('\n');
}

/** Drops CSS comments, indentation and blank lines. Our stylesheet has no string containing "/*". */
export function compactStylesheet(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** Rewrites the published copy of each script and stylesheet after the build (the passthrough copy is verbatim). */
// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compactAssets(eleventyConfig: any, files: readonly string[]): void {
  eleventyConfig.on(
    'eleventy.after',
    async ({ directories, runMode }: { directories: { output: string }; runMode: string }) => {
      // `eleventy --serve` serves passthrough files from content/ itself; nothing to rewrite.
      if (runMode === 'serve' || runMode === 'watch') return;
      for (const asset of files) {
        const file = path.join(directories.output, asset);
        const source = await readFile(file, 'utf8').catch(() => undefined);
        if (source !== undefined)
          await writeFile(file, asset.endsWith('.css') ? compactStylesheet(source) : compactScript(source));
      }
    },
  );
}
