/**
 * After Eleventy has written the site: the list and receipt pages cut from their frames, the open
 * data (scripts/site/open-data.ts), from which the reader's browser draws the full list's pages
 * and the printable volumes, and the receipt data, written straight to the output folder one file
 * at a time, so memory does not grow with the size of the output.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { Tally } from '../core/tally.ts';
import { recordOfRank, type BulkSource } from './bulk-pages.ts';
import { receiptIndex, receiptPages, RECEIPT_DATA } from './receipt-pages.ts';
import { isListFrame, listPageFiles } from './list-page-files.ts';
import { csvParts, OPEN_DATA, openDataIndex, type OpenDataFile } from './open-data.ts';

/** One page Eleventy wrote, as its `eleventy.after` event lists it. */
export interface WrittenPage {
  outputPath: string | false;
  content?: string;
}

/** Which template renders the frame of each folder's pages, for the messages below. */
const FRAME_TEMPLATES: Record<string, string> = {
  signatures: 'content/signatures/pages.njk',
  find: 'content/signatures/find.njk',
  delivery: 'content/letter/delivery-volume.njk',
};

/**
 * Writes the pages cut from the frames Eleventy rendered (scripts/site/list-page-files.ts): the
 * numbered list pages, the receipt pages and the printable volumes of every language. Then removes
 * the frames. After a full build each folder with pages to write (`expected`: "signatures",
 * "find", "delivery") must have a
 * frame, and each frame must have given as many pages as `expected` says, or a template lost its
 * loop: that throws rather than publishing a list with pages missing.
 */
export async function writeFramedPages(
  results: readonly WrittenPage[],
  expected: Record<string, number>,
  complete: boolean,
): Promise<void> {
  const frames = results.filter(
    (result): result is WrittenPage & { outputPath: string } =>
      typeof result.outputPath === 'string' && isListFrame(result.outputPath),
  );
  const folderOf = (frame: { outputPath: string }) => path.basename(path.dirname(path.dirname(frame.outputPath)));
  if (complete)
    for (const [name, count] of Object.entries(expected))
      if (count > 0 && !frames.some((frame) => folderOf(frame) === name))
        throw new Error(
          `Eleventy rendered no frame of the ${name} pages: ${FRAME_TEMPLATES[name] ?? name} is missing.`,
        );
  for (const { outputPath, content } of frames) {
    // Eleventy hands over what it wrote; a frame it did not keep in memory is read back.
    const rendered = typeof content === 'string' ? content : await readFile(outputPath, 'utf8');
    const folder = path.dirname(path.dirname(outputPath));
    const name = path.basename(folder);
    let written = 0;
    for (const page of listPageFiles(rendered, name)) {
      written += 1;
      const pageFolder = path.join(folder, page.key);
      // Written at once: a page of a few kilobytes costs the promise machinery of an async write
      // (open, write and close, each a promise) more than the write; the open data's parts are
      // compressed on the thread pool meanwhile.
      mkdirSync(pageFolder, { recursive: true });
      writeFileSync(path.join(pageFolder, 'index.html'), page.html);
    }
    await rm(path.dirname(outputPath), { recursive: true, force: true });
    if (complete && expected[name] !== undefined && written !== expected[name])
      throw new Error(
        `${outputPath} held ${written} pages, not ${expected[name]}: its template must write every page.`,
      );
  }
}

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const compress = promisify(gzip);
/** A fixed level: the same signatures give the same bytes on every build. */
const GZIP_OPTIONS = { level: 6 } as const;

/** One compressed file written, with what an index says of it. */
interface CompressedFile {
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * Compresses each text `files` yields and writes it into `folder` under its name. Each file is
 * one gzip member, which every gzip reader, the browsers' DecompressionStream included, reads
 * whole. zlib compresses on libuv's thread pool while the next file's text is made; a few files
 * are in flight at once, so the pool's threads share the work. Returns each file's size and
 * SHA-256, in the order given.
 */
async function writeCompressedFiles(
  folder: string,
  files: Iterable<{ name: string; text: string | Buffer }>,
): Promise<CompressedFile[]> {
  await mkdir(folder, { recursive: true });
  const written: CompressedFile[] = [];
  const writing = new Set<Promise<void>>();
  for (const { name, text } of files) {
    const entry: CompressedFile = { name, bytes: 0, sha256: '' };
    written.push(entry);
    const write = compress(text, GZIP_OPTIONS).then(async (bytes) => {
      entry.bytes = bytes.length;
      entry.sha256 = sha256(bytes);
      await writeFile(path.join(folder, name), bytes);
    });
    const tracked = write.finally(() => writing.delete(tracked));
    writing.add(tracked);
    if (writing.size >= 4) await Promise.race(writing);
  }
  await Promise.all(writing);
  return written;
}

/**
 * Writes data/signatures/<n>.csv.gz (one part per list page, scripts/site/open-data.ts) and
 * data/signatures/index.json into `output`.
 */
export async function writeOpenData(output: string, source: BulkSource, tally: Tally): Promise<void> {
  const ranks: { first: number; last: number }[] = [];
  const files = function* () {
    for (const part of csvParts(source.newest.length, (rank) => recordOfRank(source, rank), source.perPage)) {
      ranks.push({ first: part.first, last: part.last });
      yield { name: `${part.number}${OPEN_DATA.partSuffix}`, text: part.bytes };
    }
  };
  const written = await writeCompressedFiles(path.join(output, OPEN_DATA.folder), files());
  const parts: (OpenDataFile & { first: number; last: number })[] = written.map((file, i) => ({
    url: file.name,
    ...ranks[i]!,
    bytes: file.bytes,
    sha256: file.sha256,
  }));
  await writeFile(path.join(output, OPEN_DATA.index), openDataIndex(tally, parts, source.perPage));
}

/**
 * Writes data/receipts/<key>.csv.gz (scripts/site/receipt-pages.ts) into `output`: one file for
 * each receipt page that lists someone, which the receipt pages of every language look ids up in.
 */
export function writeReceiptData(output: string, source: BulkSource): void {
  const folder = path.join(output, RECEIPT_DATA.folder);
  mkdirSync(folder, { recursive: true });
  const index = receiptIndex(source.newest, source.perPage);
  // Compressed and written here, one after another: a thousand files of a few kilobytes, where
  // handing each to zlib's thread pool costs about half a millisecond (0.42 s at 100,000
  // signatures, against 0.05-0.09 s for the same bytes compressed here).
  for (const page of receiptPages(source.newest))
    writeFileSync(
      path.join(folder, `${page.key}${RECEIPT_DATA.suffix}`),
      // Digits, commas and line ends only: as Latin-1 the same bytes as UTF-8, encoded faster.
      gzipSync(Buffer.from(index.csv(page.number), 'latin1'), GZIP_OPTIONS),
    );
}
