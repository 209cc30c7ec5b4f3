/**
 * The verifier's checks of the full list's pages, the printable volumes and the receipt pages:
 * each page of the list and each volume, in every language, draws the signers of its ranks from
 * the open data and says which ranks of how many, and the receipt data leads each GitHub signer
 * to the page their entry is on.
 */
import { receiptDataPath, receiptIndex } from '../site/receipt-pages.ts';
import {
  eachLimited,
  NOT_UNPACKED,
  numbersIn,
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
  out.push(...(await checkVolumePages(site, expected, concurrency)));
  out.push(...(await checkReceipts(site, expected, concurrency)));
  for (const language of languages) {
    const beyond = `${language.root.replace(/^\//, '')}signatures/${signatureListPages.length + 1}/index.html`;
    if (await site.read(beyond)) out.push({ where: beyond, what: 'exists; the files fill fewer pages' });
  }
  return out.sort((a, b) => a.where.localeCompare(b.where, 'en', { numeric: true }));
}

/** What a volume's table says it draws (content/_includes/delivery-volume-page.njk). */
const VOLUME_TABLE =
  /<table class="delivery-list" data-volume="(\d{1,9})" data-first="(\d{1,16})" data-last="(\d{1,16})" data-total="(\d{1,16})" data-per-part="(\d{1,9})"/;

/** The numbers a piece of a page shows to a reader: not those of its markup, character references or dates. */
const shownNumbers = (html: string) =>
  numbersIn(html.replace(/<time[^>]{0,200}>[^<]{0,200}<\/time>/g, ' ').replace(/&#?\w{1,12};/g, ' '));
/** The same numbers, whatever their order (each language orders a message's numbers its own way). */
const asSet = (numbers: number[]) => [...numbers].sort((a, b) => a - b).join(', ');

/**
 * Each printable volume, in every language: its table draws the ranks the files give it, of the
 * count the files give, and its heading and "as of" line show exactly those numbers (with the
 * petition's title's own); none missing, none beyond the last.
 */
async function checkVolumePages(site: SiteSource, expected: Expected, concurrency: number): Promise<Difference[]> {
  const { deliveryVolumes, languages, tally, petitions, settings } = expected.data;
  const perPart = settings.signatures_per_page;
  const count = tally.signature_count;
  const out: Difference[] = [];
  const pages = languages.flatMap((language) => deliveryVolumes.map((volume) => ({ language, volume })));
  await eachLimited(pages, concurrency, async ({ language, volume }) => {
    const where = `${language.root.replace(/^\//, '')}letter/delivery/${volume.number}/index.html`;
    const bytes = await site.read(where);
    if (!bytes) {
      out.push({ where, what: 'is missing' });
      return;
    }
    const html = text(bytes);
    const table = VOLUME_TABLE.exec(html);
    const want = [volume.number, volume.firstRank, volume.lastRank, count, perPart];
    if (!table)
      out.push({ where, what: 'holds no volume drawn from the open data (table.delivery-list with data-volume)' });
    else if (table.slice(1).map(Number).join() !== want.join())
      out.push({
        where,
        what: `draws volume ${table[1]}, ranks ${table[2]}–${table[3]} of ${table[4]} (${table[5]} a part); the files give volume ${volume.number}, ranks ${volume.firstRank}–${volume.lastRank} of ${count} (${perPart} a part)`,
      });
    const title = numbersIn(petitions[language.code]?.title ?? '');
    const heading = shownNumbers(/<h1>(.{0,2000}?)<\/h1>/s.exec(html)?.[1] ?? '');
    if (asSet(heading) !== asSet([...title, volume.number, deliveryVolumes.length]))
      out.push({
        where,
        what: `its heading shows ${asSet(heading) || 'no number'}; the files give volume ${volume.number} of ${deliveryVolumes.length}`,
      });
    const asOf = shownNumbers(/<p class="as-of">(.{0,4000}?)<\/p>/s.exec(html)?.[1] ?? '');
    if (asSet(asOf) !== asSet([volume.firstRank, volume.lastRank, count]))
      out.push({
        where,
        what: `its "as of" line shows ${asSet(asOf) || 'no number'}; the files give ranks ${volume.firstRank}–${volume.lastRank} of ${count}`,
      });
  });
  for (const language of languages) {
    const beyond = `${language.root.replace(/^\//, '')}letter/delivery/${deliveryVolumes.length + 1}/index.html`;
    if (await site.read(beyond)) out.push({ where: beyond, what: 'exists; the files fill fewer volumes' });
  }
  return out;
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
