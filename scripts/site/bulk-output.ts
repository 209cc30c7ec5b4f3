/**
 * After Eleventy has written the site: the entries of the pages that grow with the signatures
 * (scripts/site/bulk-pages.ts) and the open data (scripts/site/open-data.ts), from which the
 * reader's browser draws the full list's pages, written straight to the output folder one file
 * at a time, so memory does not grow with the size of the output.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Tally } from '../core/tally.ts';
import { Utf8Builder } from '../core/utf8-builder.ts';
import {
  bulkPageCounts,
  findMarker,
  forEachBulkEntry,
  recordOfRank,
  type BulkKind,
  type BulkSource,
  type MarkedPage,
} from './bulk-pages.ts';
import { receiptPages } from './receipt-pages.ts';
import { isListFrame, listPageFiles } from './list-page-files.ts';
import { csvParts, OPEN_DATA, openDataIndex, type OpenDataFile } from './open-data.ts';

/** One page Eleventy wrote, as its `eleventy.after` event lists it. */
export interface WrittenPage {
  outputPath: string | false;
  content?: string;
}

/**
 * Writes the entries into every page Eleventy left a marker in. After a full build every volume
 * and receipt page must have been found, or the templates lost their markers: that throws,
 * naming what is missing, rather than publishing empty pages. `complete` is false for an
 * incremental rebuild, which renders only the pages that changed. `receiptsWritten`: the receipt
 * pages writeFramedPages already wrote with their lines.
 */
export async function writeBulkPages(
  results: readonly WrittenPage[],
  source: BulkSource,
  complete: boolean,
  receiptsWritten: ReadonlySet<number> = new Set(),
): Promise<void> {
  const found: Record<BulkKind, Set<number>> = { volume: new Set(), find: new Set(receiptsWritten) };
  const page = new Utf8Builder();
  // A few files being written while the next page's entries are made: the thread renders while
  // the disk writes.
  const writing = new Set<Promise<void>>();
  for (const { outputPath, content } of results) {
    if (!outputPath || typeof content !== 'string' || !outputPath.endsWith('.html') || isListFrame(outputPath))
      continue;
    const marked = findMarker(content);
    if (!marked) continue;
    found[marked.kind].add(marked.number);
    const write = writeFile(outputPath, markedPageBytes(page, marked, source));
    const tracked = write.finally(() => writing.delete(tracked));
    writing.add(tracked);
    if (writing.size >= 4) await Promise.race(writing);
  }
  await Promise.all(writing);
  if (!complete) return;
  const counts = bulkPageCounts(source.newest.length, source.perPage, source.volumeSize);
  const missing: number[] = [];
  for (let number = 1; number <= counts.volume && missing.length < 5; number += 1)
    if (!found.volume.has(number)) missing.push(number);
  if (missing.length > 0)
    throw new Error(
      `No rows were written into volume page(s) ${missing.join(', ')}: content/letter/delivery-volume.njk must ` +
        'write <!--petition-bulk:volume:{{ number }}--> where the rows go.',
    );
  const lost = receiptPages(source.newest)
    .filter((page) => !found.find.has(page.number))
    .slice(0, 5);
  if (lost.length > 0)
    throw new Error(
      `No lines were written into receipt page(s) ${lost.map((page) => page.key).join(', ')}: ` +
        'content/signatures/find.njk must write <!--petition-bulk:find:{{ receiptPage.number }}--> where they go.',
    );
}

/**
 * Writes the pages cut from the frames Eleventy rendered (scripts/site/list-page-files.ts): the
 * numbered list pages of every language and the receipt pages, whose lines go in as each page is
 * written. Then removes the frames. After a full build each frame must have given as many pages
 * as `expected` says for its folder ("signatures", "find"), or its template lost its loop: that
 * throws rather than publishing a list with pages missing. Returns the receipt pages written.
 */
export async function writeFramedPages(
  results: readonly WrittenPage[],
  source: BulkSource,
  expected: Record<string, number>,
  complete: boolean,
): Promise<Set<number>> {
  const frames = results.filter(
    (result): result is WrittenPage & { outputPath: string } =>
      typeof result.outputPath === 'string' && isListFrame(result.outputPath),
  );
  if (complete && !frames.some((frame) => path.basename(path.dirname(path.dirname(frame.outputPath))) === 'signatures'))
    throw new Error('Eleventy rendered no list pages frame: content/signatures/pages.njk is missing.');
  const receipts = new Set<number>();
  const bytes = new Utf8Builder();
  for (const { outputPath, content } of frames) {
    // Eleventy hands over what it wrote; a frame it did not keep in memory is read back.
    const rendered = typeof content === 'string' ? content : await readFile(outputPath, 'utf8');
    const folder = path.dirname(path.dirname(outputPath));
    const name = path.basename(folder);
    let written = 0;
    for (const page of listPageFiles(rendered, name)) {
      written += 1;
      const marked = findMarker(page.html);
      if (marked?.kind === 'find') receipts.add(marked.number);
      const html = marked ? markedPageBytes(bytes, marked, source) : page.html;
      const pageFolder = path.join(folder, page.key);
      // Written at once: a page of a few kilobytes costs the promise machinery of an async write
      // (open, write and close, each a promise) more than the write; the open data's parts are
      // compressed on the thread pool meanwhile.
      mkdirSync(pageFolder, { recursive: true });
      writeFileSync(path.join(pageFolder, 'index.html'), html);
    }
    await rm(path.dirname(outputPath), { recursive: true, force: true });
    if (complete && expected[name] !== undefined && written !== expected[name])
      throw new Error(
        `${outputPath} held ${written} pages, not ${expected[name]}: its template must write every page.`,
      );
  }
  return receipts;
}

/** A page with its entries written in where its marker was, as UTF-8 (`builder` is reused). */
function markedPageBytes(builder: Utf8Builder, marked: MarkedPage, source: BulkSource): Buffer {
  builder.append(marked.before);
  forEachBulkEntry(source, marked.kind, marked.number, (entry) => builder.append(entry));
  builder.append(marked.after);
  return builder.take();
}

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const compress = promisify(gzip);
/** A fixed level: the same signatures give the same bytes on every build. */
const GZIP_OPTIONS = { level: 6 } as const;

/**
 * Writes data/signatures/<n>.csv.gz (one part per list page, scripts/site/open-data.ts) and
 * data/signatures/index.json into `output`. Each part is one gzip member of the header and its
 * rows, which every gzip reader, the browsers' DecompressionStream included, reads whole. zlib
 * compresses on libuv's thread pool while the next part's rows are made; a few parts are in
 * flight at once, so the pool's threads share the work.
 */
export async function writeOpenData(output: string, source: BulkSource, tally: Tally): Promise<void> {
  const folder = path.join(output, OPEN_DATA.folder);
  await mkdir(folder, { recursive: true });
  const parts: (OpenDataFile & { first: number; last: number })[] = [];
  const writing = new Set<Promise<void>>();
  for (const part of csvParts(source.newest.length, (rank) => recordOfRank(source, rank), source.perPage)) {
    const name = `${part.number}${OPEN_DATA.partSuffix}`;
    const entry: OpenDataFile & { first: number; last: number } = {
      url: name,
      first: part.first,
      last: part.last,
      bytes: 0,
      sha256: '',
    };
    parts.push(entry);
    const write = compress(part.bytes, GZIP_OPTIONS).then(async (bytes) => {
      entry.bytes = bytes.length;
      entry.sha256 = sha256(bytes);
      await writeFile(path.join(folder, name), bytes);
    });
    const tracked = write.finally(() => writing.delete(tracked));
    writing.add(tracked);
    if (writing.size >= 4) await Promise.race(writing);
  }
  await Promise.all(writing);
  await writeFile(path.join(output, OPEN_DATA.index), openDataIndex(tally, parts, source.perPage));
}
