/**
 * Publishes the sign form's script without its comments and indentation: the Russian home page,
 * with its Cyrillic country suggestions and messages, must stay under 50 KB with the script, and
 * the comments are for whoever reads content/assets/js/sign-form.js, not for phones.
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

/** Rewrites the published copy of each script after the build (the passthrough copy is verbatim). */
// Eleventy ships no TypeScript types for its configuration object.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function compactScripts(eleventyConfig: any, scripts: readonly string[]): void {
  eleventyConfig.on(
    'eleventy.after',
    async ({ directories, runMode }: { directories: { output: string }; runMode: string }) => {
      // `eleventy --serve` serves passthrough files from content/ itself; nothing to rewrite.
      if (runMode === 'serve' || runMode === 'watch') return;
      for (const script of scripts) {
        const file = path.join(directories.output, script);
        const source = await readFile(file, 'utf8').catch(() => undefined);
        if (source !== undefined) await writeFile(file, compactScript(source));
      }
    },
  );
}
