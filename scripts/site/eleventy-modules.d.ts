// Eleventy 3 and its RSS plugin ship no TypeScript declarations.
declare module '@11ty/eleventy' {
  export const HtmlBasePlugin: unknown;
  const Eleventy: unknown;
  export default Eleventy;
}
declare module '@11ty/eleventy-plugin-rss' {
  export const feedPlugin: unknown;
  /** The newest item's date, or `emptyFallbackDate` (else the clock) for an empty collection. */
  export function getNewestCollectionItemDate(collection: unknown, emptyFallbackDate?: Date): Date;
}
