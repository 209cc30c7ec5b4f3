/**
 * A built list page or printable volume with its entries drawn, without a browser: the page's own
 * script (assets/js/signature-list.js) and words (<lang>/signatures/words.js), as the build
 * published them, run against the page in linkedom, fetching the open data's part from the output folder
 * and unpacking it with Node's DecompressionStream. The Chromium tests (test/browser/) check the
 * same script in a real browser; this lets the build tests read the entries a reader gets.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHTML } from 'linkedom';

const ORIGIN = 'http://site.test';

/** Reads `relativePath` from the output folder for a URL of the site served at `prefix`, or undefined. */
async function fileOf(output: string, prefix: string, url: string): Promise<Buffer | undefined> {
  const pathname = new URL(url, ORIGIN).pathname;
  if (!pathname.startsWith(prefix)) return undefined;
  const relative = decodeURIComponent(pathname.slice(prefix.length));
  return readFile(path.join(output, relative, relative.endsWith('/') || relative === '' ? 'index.html' : ''))
    .then((bytes) => bytes)
    .catch(() => undefined);
}

/**
 * The document of the list page or volume at `relativePath` (e.g. "ru/signatures/1/index.html",
 * "letter/delivery/2/index.html") once its script has drawn the entries. Throws, with the page's
 * words, when the script gave up (its `p.list-failed[role="alert"]`) or was still busy after 10 s:
 * a test reading entries must never read a page that failed to draw them. The site's path prefix
 * is read from where the page loads its script.
 */
export async function drawnListPage(output: string, relativePath: string): Promise<Document> {
  const html = await readFile(path.join(output, relativePath), 'utf8');
  // linkedom's own events: Node's CustomEvent cannot be dispatched on its elements.
  const { document, CustomEvent } = parseHTML(html);
  const scripts = [...document.querySelectorAll('script[src]')].map((script) => script.getAttribute('src')!);
  const wordsSrc = scripts.find((src) => src.endsWith('/signatures/words.js'));
  const listSrc = scripts.find((src) => src.endsWith('/assets/js/signature-list.js'));
  if (!wordsSrc || !listSrc) return document as unknown as Document;
  const prefix = new URL(listSrc, ORIGIN).pathname.replace(/assets\/js\/signature-list\.js$/, '');
  const words = await fileOf(output, prefix, wordsSrc);
  const code = await fileOf(output, prefix, listSrc);
  if (!words || !code) throw new Error(`${relativePath} loads scripts the build did not write`);
  const page = new URL(`${prefix}${relativePath.replace(/index\.html$/, '')}`, ORIGIN);
  const fetchFile = async (url: string) => {
    const bytes = await fileOf(output, prefix, url);
    return bytes ? new Response(new Uint8Array(bytes)) : new Response('', { status: 404 });
  };
  // A window of its own: linkedom's writes through to Node's globals (its fetch would become ours).
  const window = { fetch: fetchFile, DecompressionStream, Response, Blob, Intl };
  Object.defineProperty(document, 'currentScript', { value: { src: new URL(listSrc, ORIGIN).href } });
  const location = { hash: page.hash, href: page.href, replace: () => {} };
  new Function('window', 'document', 'location', words.toString('utf8'))(window, document, location);
  new Function('window', 'document', 'location', 'fetch', 'CustomEvent', code.toString('utf8'))(
    window,
    document,
    location,
    fetchFile,
    CustomEvent,
  );
  const list = document.querySelector('ol[data-part], table[data-volume]');
  for (let waited = 0; list?.hasAttribute('aria-busy') && waited < 10_000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  if (list?.hasAttribute('aria-busy')) throw new Error(`${relativePath}: the list was still being drawn after 10 s`);
  const failure = document.querySelector('p.list-failed[role="alert"]');
  if (failure) throw new Error(`${relativePath}: the list script gave up: "${failure.textContent}"`);
  return document as unknown as Document;
}
