/**
 * The numbered pages of the full list, /signatures/<n>/ and /<lang>/signatures/<n>/. Eleventy
 * renders each language's pages as one page (content/signatures/pages.njk): the site's frame once,
 * at /<lang>/signatures/page-frame/, with every page's body inside it after a marker that carries
 * the page's number and title. After the build, this cuts it into one file a page and removes it.
 *
 * Why: rendered as Eleventy pages, one at a time through the data cascade, the layout, the share
 * card and the path prefix, the 6,000 list pages of three languages at a million signatures were
 * most of the build's time and a fifth of its memory. The frame and the bodies come from the same
 * templates as before; only the frame is rendered once instead of once a page.
 *
 * Pure: cutting and putting a page together. The I/O is writeListPages, in bulk-output.ts.
 */

/** The folder of the page Eleventy renders: /signatures/page-frame/ in each language, /signatures/find/page-frame/. */
export const LIST_FRAME_FOLDER = 'page-frame';
/** What the frame says where each page's title goes (pages.njk sets it as the page's title). */
export const LIST_PAGE_TITLE = '@@petition-list-page-title@@';
const PAGE_MARK = '<!--petition-list-page:';
const END_MARK = '<!--petition-list-end-->';
/** "<number>:<title>": a number, then text the template escaped, which holds no ">" and so no "-->". */
const PAGE_MARK_LONGEST = 2000;
/** A page's key: its number in the list ("12"), or a receipt page's ("042"). */
const KEY = /^\d{1,9}$/;

/** Whether Eleventy's output file is a frame of pages to cut. */
export function isListFrame(outputPath: string): boolean {
  return outputPath.replaceAll('\\', '/').endsWith(`/${LIST_FRAME_FOLDER}/index.html`);
}

/** One page cut from a frame, as published at <folder>/<key>/. */
export interface ListPageFile {
  key: string;
  html: string;
}

/**
 * Cuts a rendered frame into its pages, in order. `folder` is the name of the folder the pages
 * go in ("signatures", "find"): the frame names its own address as /<folder>/page-frame/, and
 * each page's takes its place. A frame without its end marker, or with a malformed marker, is a
 * template error and throws, naming what is wrong, rather than publishing pages without their
 * titles or bodies; a frame with no page (no receipt page yet) gives none.
 */
export function* listPageFiles(rendered: string, folder = 'signatures'): Generator<ListPageFile> {
  const end = rendered.lastIndexOf(END_MARK);
  const found = rendered.indexOf(PAGE_MARK);
  const first = found < 0 || found > end ? end : found;
  if (end < 0)
    throw new Error(
      `A frame of pages has no ${END_MARK}: content/signatures/pages.njk, find.njk and content/letter/delivery-volume.njk must write it.`,
    );
  if (first === end) return;
  const frame = splitFrame(
    rendered.slice(0, first),
    rendered.slice(end + END_MARK.length),
    `/${folder}/${LIST_FRAME_FOLDER}/`,
  );
  let at = first;
  while (at < end) {
    const close = rendered.indexOf('-->', at);
    const mark = close < 0 || close - at > PAGE_MARK_LONGEST ? '' : rendered.slice(at + PAGE_MARK.length, close);
    const colon = mark.indexOf(':');
    const key = colon < 0 ? '' : mark.slice(0, colon);
    if (!KEY.test(key)) throw new Error(`A malformed page marker: ${JSON.stringify(rendered.slice(at, at + 60))}`);
    const next = rendered.indexOf(PAGE_MARK, close);
    const bodyEnd = next < 0 || next > end ? end : next;
    const body = rendered
      .slice(close + 3, bodyEnd)
      .replace(/^\n/, '')
      .replace(/\n$/, '');
    yield { key, html: frame(key, mark.slice(colon + 1), body) };
    at = bodyEnd;
  }
}

/**
 * The frame around every page, split once at the title and the frame's path, so that each page
 * is put together by joining pieces rather than by searching the whole frame again.
 */
function splitFrame(
  head: string,
  tail: string,
  framePath: string,
): (key: string, title: string, body: string) => string {
  const pieces = (text: string) => text.split(LIST_PAGE_TITLE).map((part) => part.split(framePath));
  const headPieces = pieces(head);
  const tailPieces = pieces(tail);
  if (headPieces.length < 2)
    throw new Error(
      `The list pages' frame has no ${LIST_PAGE_TITLE} in its <head>: pages.njk must set it as the title.`,
    );
  const join = (parts: string[][], title: string, path: string) =>
    parts.map((segment) => segment.join(path)).join(title);
  return (key, title, body) => {
    const path = framePath.replace(`/${LIST_FRAME_FOLDER}/`, `/${key}/`);
    // A body that named its own page would name the frame: it is this page.
    const ownBody = body.includes(framePath) ? body.split(framePath).join(path) : body;
    return join(headPieces, title, path) + ownBody + join(tailPieces, title, path);
  };
}
