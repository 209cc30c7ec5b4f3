/**
 * After Eleventy has written the site: the entries of the pages that grow with the signatures
 * (scripts/site/bulk-pages.ts) and the open data (scripts/site/open-data.ts), written straight to
 * the output folder one file at a time, so memory does not grow with the size of the output.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import type { Tally } from '../core/tally.ts';
import {
  bulkEntriesHtml,
  bulkPageCounts,
  findMarker,
  recordOfRank,
  type BulkKind,
  type BulkSource,
} from './bulk-pages.ts';
import { receiptPages } from './receipt-pages.ts';
import {
  CSV_HEADER,
  csvParts,
  OPEN_DATA,
  PART_MAX_ROWS,
  openDataIndex,
  type CsvPart,
  type OpenDataFile,
} from './open-data.ts';

/** One page Eleventy wrote, as its `eleventy.after` event lists it. */
export interface WrittenPage {
  outputPath: string | false;
  content?: string;
}

/**
 * Writes the entries into every page Eleventy left a marker in. After a full build every list
 * page and every volume must have been found, or the templates lost their markers: that throws,
 * naming what is missing, rather than publishing empty lists. `complete` is false for an
 * incremental rebuild, which renders only the pages that changed.
 */
export async function writeBulkPages(
  results: readonly WrittenPage[],
  source: BulkSource,
  complete: boolean,
): Promise<void> {
  const found: Record<BulkKind, Set<number>> = { list: new Set(), volume: new Set(), find: new Set() };
  // A few files being written while the next page's entries are made: the thread renders while
  // the disk writes.
  const writing = new Set<Promise<void>>();
  for (const { outputPath, content } of results) {
    if (!outputPath || typeof content !== 'string' || !outputPath.endsWith('.html')) continue;
    const marked = findMarker(content);
    if (!marked) continue;
    found[marked.kind].add(marked.number);
    const write = writeFile(
      outputPath,
      marked.before + bulkEntriesHtml(source, marked.kind, marked.number) + marked.after,
    );
    const tracked = write.finally(() => writing.delete(tracked));
    writing.add(tracked);
    if (writing.size >= 4) await Promise.race(writing);
  }
  await Promise.all(writing);
  if (!complete) return;
  const counts = bulkPageCounts(source.newest.length, source.perPage, source.volumeSize);
  for (const [kind, template] of [
    ['list', 'content/_includes/signature-page.njk'],
    ['volume', 'content/letter/delivery-volume.njk'],
  ] as const) {
    const missing: number[] = [];
    for (let number = 1; number <= counts[kind] && missing.length < 5; number += 1)
      if (!found[kind].has(number)) missing.push(number);
    if (missing.length > 0)
      throw new Error(
        `No entries were written into ${kind} page(s) ${missing.join(', ')}: ${template} must write ` +
          `<!--petition-bulk:${kind}:{{ number }}--> where the entries go.`,
      );
  }
  const lost = receiptPages(source.newest)
    .filter((page) => !found.find.has(page.number))
    .slice(0, 5);
  if (lost.length > 0)
    throw new Error(
      `No lines were written into receipt page(s) ${lost.map((page) => page.key).join(', ')}: ` +
        'content/signatures/find.njk must write <!--petition-bulk:find:{{ receiptPage.number }}--> where they go.',
    );
}

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const compress = promisify(gzip);
/** A fixed level: the same signatures give the same bytes on every build. */
const GZIP_OPTIONS = { level: 6 } as const;

/**
 * Writes data/signatures/<n>.csv.gz, data/signatures.csv.gz and data/signatures/index.json into
 * `output`. Each part is compressed once, as two gzip members (header, rows): the part's file is
 * both, and the full file is the header's member followed by every part's rows member, which
 * gunzip and every gzip library read as one CSV. zlib compresses on libuv's thread pool while
 * the next part's rows are written.
 */
export async function writeOpenData(
  output: string,
  source: BulkSource,
  tally: Tally,
  { partRows = PART_MAX_ROWS }: { partRows?: number } = {},
): Promise<void> {
  const folder = path.join(output, OPEN_DATA.folder);
  await mkdir(folder, { recursive: true });
  const header = gzipSync(CSV_HEADER, GZIP_OPTIONS);
  const full = await open(path.join(output, OPEN_DATA.full), 'w');
  const fullHash = createHash('sha256').update(header);
  let fullBytes = header.length;
  const parts: (OpenDataFile & { first: number; last: number })[] = [];
  try {
    await full.writeFile(header);
    const finish = async ({ part, rows }: { part: CsvPart; rows: Promise<Buffer> }) => {
      const member = await rows;
      const bytes = Buffer.concat([header, member]);
      const name = `${part.number}${OPEN_DATA.partSuffix}`;
      await writeFile(path.join(folder, name), bytes);
      parts.push({ url: name, first: part.first, last: part.last, bytes: bytes.length, sha256: sha256(bytes) });
      await full.writeFile(member);
      fullHash.update(member);
      fullBytes += member.length;
    };
    // One part compressing on the thread pool while the next one's rows are made.
    let pending: { part: CsvPart; rows: Promise<Buffer> } | undefined;
    for (const part of csvParts(source.newest.length, (rank) => recordOfRank(source, rank), partRows)) {
      const next = { part, rows: compress(part.rows, GZIP_OPTIONS) };
      if (pending) await finish(pending);
      pending = next;
    }
    if (pending) await finish(pending);
  } finally {
    await full.close();
  }
  const fullFile: OpenDataFile = {
    url: path.posix.relative(OPEN_DATA.folder, OPEN_DATA.full),
    bytes: fullBytes,
    sha256: fullHash.digest('hex'),
  };
  await writeFile(path.join(output, OPEN_DATA.index), openDataIndex(tally, parts, fullFile));
}
