/**
 * The verifier's checks of the full list's pages and the receipt pages: each page of the list,
 * in every language, draws the signers of its ranks from its part of the open data, and the
 * receipt data leads each GitHub signer to the page their entry is on.
 */
import { receiptDataPath, receiptIndex } from '../site/receipt-pages.ts';
import {
  eachLimited,
  NOT_UNPACKED,
  text,
  unpackedText,
  type Difference,
  type Expected,
  type SiteSource,
} from './site-source.ts';

/** What a list page's frame says it draws: the part and the ranks (content/_includes/signature-page.njk). */
const FRAME =
  /<ol class="signers" reversed start="(\d{1,16})" data-part="(\d{1,9})" data-first="(\d{1,16})" data-last="(\d{1,16})"/;

/**
 * Each page of the full list, in every language, draws the signers of its ranks: it names the
 * open data's part of its number and the ranks the clone gives it (the part's rows are checked
 * with the open data); none missing, none extra. The receipt pages lead to the right pages.
 */
export async function checkListPages(site: SiteSource, expected: Expected, concurrency: number): Promise<Difference[]> {
  const { signatureListPages, languages } = expected.data;
  const out: Difference[] = [];
  const frames = languages.flatMap((language) =>
    signatureListPages.map((page) => ({ root: language.root.replace(/^\//, ''), page })),
  );
  await eachLimited(frames, concurrency, async ({ root, page }) => {
    const where = `${root}signatures/${page.number}/index.html`;
    const bytes = await site.read(where);
    if (!bytes) {
      out.push({ where, what: 'is missing' });
      return;
    }
    if (page.size === 0) return;
    const frame = FRAME.exec(text(bytes));
    const want = [page.lastRank, page.number, page.firstRank, page.lastRank];
    if (!frame) out.push({ where, what: 'holds no list drawn from the open data (ol.signers with data-part)' });
    else if (frame.slice(1).map(Number).join() !== want.join())
      out.push({
        where,
        what: `draws part ${frame[2]}, ranks ${frame[3]}–${frame[4]}; the files give part ${page.number}, ranks ${page.firstRank}–${page.lastRank}`,
      });
  });
  out.push(...(await checkReceipts(site, expected, concurrency)));
  for (const language of languages) {
    const beyond = `${language.root.replace(/^\//, '')}signatures/${signatureListPages.length + 1}/index.html`;
    if (await site.read(beyond)) out.push({ where: beyond, what: 'exists; the files fill fewer pages' });
  }
  return out.sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true }));
}

/**
 * The receipt pages the bot links to, in every language, and their data: each GitHub signer's id
 * with the page of the list their entry is on now, as the files give it.
 */
async function checkReceipts(site: SiteSource, expected: Expected, concurrency: number): Promise<Difference[]> {
  const out: Difference[] = [];
  const index = receiptIndex(expected.bulk.newest, expected.bulk.perPage);
  const pages = expected.data.languages.flatMap((language) =>
    expected.data.receiptPages.map(
      (receipt) => `${language.root.replace(/^\//, '')}signatures/find/${receipt.key}/index.html`,
    ),
  );
  await eachLimited(pages, concurrency, async (where) => {
    if (!(await site.read(where))) out.push({ where, what: 'is missing: receipt links to it lead nowhere' });
  });
  await eachLimited(expected.data.receiptPages, concurrency, async (receipt) => {
    const where = receiptDataPath(receipt.key);
    const gz = await site.read(where);
    const csv = gz && unpackedText(gz);
    if (!gz) out.push({ where, what: 'is missing: the receipt pages cannot find these signers' });
    else if (csv === undefined) out.push({ where, what: NOT_UNPACKED });
    else if (csv !== index.csv(receipt.number))
      out.push({ where, what: 'does not lead each signer to the list page the files put their entry on' });
  });
  return out;
}
