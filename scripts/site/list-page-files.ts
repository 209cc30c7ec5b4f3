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

/** The folder of the page Eleventy renders: /signatures/page-frame/, in each language. */
export const LIST_FRAME_FOLDER = 'page-frame';
/** The frame's own path, wherever the frame names it (canonical, alternates, language switch). */
const FRAME_PATH = `/signatures/${LIST_FRAME_FOLDER}/`;
/** What the frame says where each page's title goes (pages.njk sets it as the page's title). */
export const LIST_PAGE_TITLE = '@@petition-list-page-title@@';
const PAGE_MARK = '<!--petition-list-page:';
const END_MARK = '<!--petition-list-end-->';
/** "<number>:<title>": a number, then text the template escaped, which holds no ">" and so no "-->". */
const PAGE_MARK_LONGEST = 2000;
const NUMBER = /^[1-9]\d{0,8}$/;

/** Whether Eleventy's output file is a language's frame of the list pages. */
export function isListFrame(outputPath: string): boolean {
  return outputPath.replaceAll('\\', '/').endsWith(`${FRAME_PATH}index.html`);
}

/** One numbered list page, as published. */
export interface ListPageFile {
  number: number;
  html: string;
}

/**
 * Cuts a language's rendered frame into its pages, in order. A frame without its markers, or
 * with a malformed one, is a template error and throws, naming what is wrong, rather than
 * publishing pages without their titles or bodies.
 */
export function* listPageFiles(rendered: string): Generator<ListPageFile> {
  const first = rendered.indexOf(PAGE_MARK);
  const end = rendered.lastIndexOf(END_MARK);
  if (first < 0 || end < first)
    throw new Error(
      `The list pages' frame has no ${PAGE_MARK}…--> or no ${END_MARK}: content/signatures/pages.njk must write them.`,
    );
  const frame = splitFrame(rendered.slice(0, first), rendered.slice(end + END_MARK.length));
  let at = first;
  while (at < end) {
    const close = rendered.indexOf('-->', at);
    const mark = close < 0 || close - at > PAGE_MARK_LONGEST ? '' : rendered.slice(at + PAGE_MARK.length, close);
    const colon = mark.indexOf(':');
    const numberText = colon < 0 ? '' : mark.slice(0, colon);
    if (!NUMBER.test(numberText))
      throw new Error(`A malformed list page marker: ${JSON.stringify(rendered.slice(at, at + 60))}`);
    const next = rendered.indexOf(PAGE_MARK, close);
    const bodyEnd = next < 0 || next > end ? end : next;
    const number = Number(numberText);
    const body = rendered
      .slice(close + 3, bodyEnd)
      .replace(/^\n/, '')
      .replace(/\n$/, '');
    yield { number, html: frame(number, mark.slice(colon + 1), body) };
    at = bodyEnd;
  }
}

/**
 * The frame around every page, split once at the title and the frame's path, so that each page
 * is put together by joining pieces rather than by searching the whole frame again.
 */
function splitFrame(head: string, tail: string): (number: number, title: string, body: string) => string {
  const pieces = (text: string) => text.split(LIST_PAGE_TITLE).map((part) => part.split(FRAME_PATH));
  const headPieces = pieces(head);
  const tailPieces = pieces(tail);
  if (headPieces.length < 2)
    throw new Error(
      `The list pages' frame has no ${LIST_PAGE_TITLE} in its <head>: pages.njk must set it as the title.`,
    );
  const join = (parts: string[][], title: string, path: string) =>
    parts.map((segment) => segment.join(path)).join(title);
  return (number, title, body) => {
    const path = `/signatures/${number}/`;
    // A body that named its own page would name the frame: it is this page.
    const ownBody = body.includes(FRAME_PATH) ? body.split(FRAME_PATH).join(path) : body;
    return join(headPieces, title, path) + ownBody + join(tailPieces, title, path);
  };
}
