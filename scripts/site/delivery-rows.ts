/**
 * The delivery letter's rows (every signature) are put into the written pages after the build
 * instead of going through the templates: every HTML page is parsed again by Eleventy's
 * HtmlBasePlugin to add the path prefix, and one 7 MB table per language (at 100,000 signatures)
 * cost seconds and about half a gigabyte there. The rows hold no URL, so they need no prefix.
 */
import { writeFile } from 'node:fs/promises';

/** What content/letter/delivery.njk writes where the rows go. */
export const DELIVERY_ROWS_MARKER = '<!--petition:delivery-rows-->';

/** Replaces the marker in every page that has it with the rows (escaped HTML, scripts/site/signer-html.ts). */
export function addDeliveryRows(
  // Eleventy ships no TypeScript types for its configuration object.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  eleventyConfig: any,
  rowsHtml: string,
): void {
  eleventyConfig.addGlobalData('deliveryRowsMarker', DELIVERY_ROWS_MARKER);
  eleventyConfig.on(
    'eleventy.after',
    async ({ results }: { results: { outputPath: string | false; content: string }[] }) => {
      for (const { outputPath, content } of results) {
        if (!outputPath || typeof content !== 'string' || !content.includes(DELIVERY_ROWS_MARKER)) continue;
        // A function, so that "$&" or "$1" in a signer's name is never a replacement pattern.
        await writeFile(
          outputPath,
          content.replace(DELIVERY_ROWS_MARKER, () => rowsHtml),
        );
      }
    },
  );
}
