/**
 * The delivery PDFs, written directly with pdfkit (no browser): the letter (cover letter, the
 * letter in each language, the tally) and one PDF per volume of signatures. Signer text goes in
 * as text only, drawn run by run in the font that has its characters (scripts/delivery/text-runs.ts).
 *
 * A document is deterministic for a given packet: its creation date is the packet's moment and
 * pdfkit derives the file id from it, so the same commit and moment give the same bytes.
 */
import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';
import { formatNumber, plural } from '../core/format.ts';
import { countryName } from '../core/countries.ts';
import { recipientLine } from '../core/letter.ts';
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import type { DeliveryFont, LoadedFonts } from './fonts.ts';
import type { Packet } from './packet.ts';
import { fontRuns, visualOrder, type Coverage, type TextRun } from './text-runs.ts';
import type { Volume } from './volumes.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const CONTENT_WIDTH = A4[0] - 2 * MARGIN;
const GREY = '#444444';

type Doc = PDFKit.PDFDocument;

/** The part of pdfkit's embedded font that lays out text, cached by space-separated chunk. */
interface LayoutRun {
  glyphs: unknown[];
  positions: unknown[];
  advanceWidth: number;
}
interface EmbeddedFontInternals {
  layoutCache?: Record<string, LayoutRun>;
  layoutCached?: (text: string) => LayoutRun;
}

/**
 * Digits and the punctuation of numbers, dates and receipts: in Noto Sans their shapes and
 * widths never depend on their neighbours (tabular figures, no ligatures, no kerning pairs among
 * them), so a chunk of them can be laid out character by character.
 */
const CONTEXT_FREE = /^[0-9#,.:\-–]+ ?$/;

/** Draws, measures and wraps mixed-script text in one document. */
class TextDrawer {
  private readonly runCache = new Map<string, TextRun[]>();
  private current = '';
  readonly doc: Doc;
  private readonly fonts: DeliveryFont[];
  private readonly covers: Coverage;
  readonly missing: Set<number>;
  constructor(doc: Doc, fonts: DeliveryFont[], covers: Coverage, missing: Set<number>) {
    this.doc = doc;
    this.fonts = fonts;
    this.covers = covers;
    this.missing = missing;
  }

  runs(text: string): TextRun[] {
    let runs = this.runCache.get(text);
    if (!runs) {
      runs = visualOrder(fontRuns(text, this.fonts.length, this.covers, this.missing));
      if (this.runCache.size > 50_000) this.runCache.clear();
      this.runCache.set(text, runs);
    }
    return runs;
  }

  private use(font: number, size: number) {
    const name = this.fonts[font]!.name;
    if (name !== this.current) {
      this.doc.font(name);
      this.current = name;
    }
    this.doc.fontSize(size);
  }

  /**
   * pdfkit shapes every new chunk of text through fontkit (about 20 µs), and each row has two
   * chunks no other row has: its number and its receipt. Those are digits, so their layout is
   * put together from the layouts of single characters, which pdfkit caches: this halves the
   * time a volume takes. Only for the first font (Noto Sans), and only if pdfkit still keeps its
   * cache where this expects it; otherwise pdfkit simply shapes them itself.
   */
  private prime(text: string) {
    const font = (this.doc as unknown as { _font?: EmbeddedFontInternals })._font;
    const cache = font?.layoutCache;
    if (!cache || !font.layoutCached) return;
    for (const chunk of text.split(/(?<= )/)) {
      if (cache[chunk] || !CONTEXT_FREE.test(chunk)) continue;
      const run: LayoutRun = { glyphs: [], positions: [], advanceWidth: 0 };
      for (const character of chunk) {
        const single = font.layoutCached(character);
        run.glyphs.push(...single.glyphs);
        run.positions.push(...single.positions);
        run.advanceWidth += single.advanceWidth;
      }
      cache[chunk] = run;
    }
  }

  width(text: string, size: number): number {
    let width = 0;
    for (const run of this.runs(text)) {
      this.use(run.font, size);
      if (run.font === 0) this.prime(run.text);
      width += this.doc.widthOfString(run.text);
    }
    return width;
  }

  /** Draws one line at (x, y), left-aligned, or right-aligned to x + width. */
  line(text: string, x: number, y: number, size: number, align: 'left' | 'right' = 'left', width = 0) {
    let at = align === 'right' ? x + width - this.width(text, size) : x;
    for (const run of this.runs(text)) {
      this.use(run.font, size);
      if (run.font === 0) this.prime(run.text);
      this.doc.text(run.text, at, y, { lineBreak: false });
      at += this.doc.widthOfString(run.text);
    }
  }

  /**
   * Breaks text into lines no wider than `width`: at spaces, and inside a word (or a run of
   * Chinese, which has no spaces) only when the word alone is too wide.
   */
  wrap(text: string, width: number, size: number): string[] {
    if (this.width(text, size) <= width) return [text];
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/(?<= )/)) {
      if (this.width(line + word, size) <= width || line === '') {
        line += word;
        while (this.width(line.trimEnd(), size) > width) {
          // Too long alone: cut it at the last character that fits.
          const characters = [...line];
          let fit = characters.length - 1;
          while (fit > 1 && this.width(characters.slice(0, fit).join(''), size) > width) fit -= 1;
          lines.push(characters.slice(0, fit).join(''));
          line = characters.slice(fit).join('');
        }
      } else {
        lines.push(line.trimEnd());
        line = word;
      }
    }
    if (line.trim()) lines.push(line.trimEnd());
    return lines;
  }
}

interface Writer {
  doc: Doc;
  regular: TextDrawer;
  bold: TextDrawer;
  done: Promise<void>;
}

function openDocument(file: string, fonts: LoadedFonts, packet: Packet, title: string, missing: Set<number>): Writer {
  const doc = new PDFDocument({
    size: A4,
    margins: { top: MARGIN, bottom: 24, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    lang: packet.letters[0]?.language ?? 'en',
    displayTitle: true,
    info: {
      Title: title,
      Author: packet.sender,
      Subject: packet.title,
      Creator: 'petition-as-code: npm run delivery',
      CreationDate: new Date(packet.asOf),
    },
  });
  for (const [name, bytes] of fonts.bytes) doc.registerFont(name, bytes);
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('finish', resolve);
    out.on('error', reject);
    doc.pipe(out);
  });
  return {
    doc,
    regular: new TextDrawer(doc, fonts.regular, fonts.coverage(fonts.regular), missing),
    bold: new TextDrawer(doc, fonts.bold, fonts.coverage(fonts.bold), missing),
    done,
  };
}

/** Writes "page n of N" and a line of text at the foot of every page, then ends the document. */
async function finish(writer: Writer, footer: string): Promise<void> {
  const { doc } = writer;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    doc.fillColor(GREY);
    const y = A4[1] - 34;
    // The page number on a line of its own: the footer may be as wide as the page.
    for (const [n, line] of writer.regular.wrap(footer, CONTENT_WIDTH, 7).entries())
      writer.regular.line(line, MARGIN, y + n * 9, 7);
    writer.regular.line(`page ${i + 1} of ${range.count}`, MARGIN, y - 10, 7, 'right', CONTENT_WIDTH);
    doc.fillColor('black');
  }
  doc.end();
  await writer.done;
}

/** A flowing column of paragraphs with page breaks. */
class Flow {
  y = MARGIN;
  private readonly writer: Writer;
  constructor(writer: Writer) {
    this.writer = writer;
  }
  get bottom() {
    return A4[1] - MARGIN - 10;
  }
  space(points: number) {
    this.y += points;
  }
  ensure(height: number) {
    if (this.y + height > this.bottom) this.newPage();
  }
  newPage() {
    this.writer.doc.addPage();
    this.y = MARGIN;
  }
  paragraph(text: string, { size = 10.5, bold = false, indent = 0, gap = 6, color = 'black' } = {}) {
    const drawer = bold ? this.writer.bold : this.writer.regular;
    const lineHeight = size * 1.4;
    this.writer.doc.fillColor(color);
    for (const line of drawer.wrap(text, CONTENT_WIDTH - indent, size)) {
      this.ensure(lineHeight);
      drawer.line(line, MARGIN + indent, this.y, size);
      this.y += lineHeight;
    }
    this.writer.doc.fillColor('black');
    this.y += gap;
  }
  heading(text: string, size = 15) {
    this.ensure(size * 3);
    this.space(4);
    this.paragraph(text, { size, bold: true, gap: 4 });
  }
  /** Label and value rows (the tally's tables). */
  rows(rows: [string, string][], size = 9.5) {
    const lineHeight = size * 1.45;
    for (const [label, value] of rows) {
      const lines = this.writer.regular.wrap(label, CONTENT_WIDTH - 110, size);
      this.ensure(lineHeight * lines.length);
      lines.forEach((line, i) => this.writer.regular.line(line, MARGIN, this.y + i * lineHeight, size));
      this.writer.regular.line(value, MARGIN, this.y, size, 'right', CONTENT_WIDTH);
      this.y += lineHeight * lines.length;
    }
    this.y += 6;
  }
}

/**
 * Writes the packet's first PDF: the cover letter (date, sender, contact, the offices with the
 * historical note), the letter in each language, and the tally. Returns the code points no font
 * could draw (none with the shipped fonts and the letter's own text, which a test checks).
 */
export async function writeLetterPdf(file: string, packet: Packet, fonts: LoadedFonts): Promise<Set<number>> {
  const missing = new Set<number>();
  const writer = openDocument(file, fonts, packet, `${packet.title}: the letter and its signatures`, missing);
  const flow = new Flow(writer);
  const { tally } = packet;

  // The cover letter.
  flow.paragraph(packet.sender, { bold: true, gap: 0 });
  flow.paragraph(packet.contact, { gap: 0 });
  if (packet.contact !== packet.repositoryUrl) flow.paragraph(packet.repositoryUrl, { gap: 0 });
  flow.space(14);
  flow.paragraph(packet.date, { gap: 14 });
  flow.paragraph('To:', { bold: true, gap: 2 });
  for (const a of packet.addressees) {
    flow.paragraph(a.office || a.named, { indent: 12, gap: 0 });
    const now = a.holder ? `today: ${a.holder}` : '';
    // An institution ("City Council") has no person named: nothing to say about one.
    const was = a.named
      ? a.left
        ? `the letter names ${a.named}, who left this office in ${a.left}`
        : `the letter names ${a.named}`
      : '';
    const meta = [was, now].filter(Boolean).join('; ');
    if (meta) flow.paragraph(`(${meta})`, { indent: 12, size: 9, color: GREY, gap: 4 });
    else flow.space(4);
  }
  flow.space(8);
  flow.paragraph(`Delivery of the open letter “${packet.title}”: ${plural(tally.signature_count, 'signature')}`, {
    bold: true,
    gap: 10,
  });
  if (packet.note) flow.paragraph(packet.note, { gap: 8 });
  for (const paragraph of packet.cover) flow.paragraph(paragraph, { gap: 8 });
  flow.space(8);
  flow.paragraph('Yours faithfully,', { gap: 4 });
  flow.paragraph(packet.sender, { bold: true, gap: 0 });
  flow.paragraph(`for the ${plural(tally.signature_count, 'signer')}`, { gap: 0 });

  // The letter, in each language.
  for (const letter of packet.letters) {
    flow.newPage();
    flow.heading(`${packet.title}: ${letter.title}`);
    if (packet.letters.length > 1) flow.paragraph(`Language: ${letter.language}`, { size: 9, color: GREY });
    if (packet.note) flow.paragraph(packet.note, { size: 9, color: GREY, gap: 10 });
    flow.paragraph('To:', { bold: true, gap: 2 });
    for (const r of letter.recipients) flow.paragraph(recipientLine(r), { indent: 12, gap: 0 });
    flow.space(8);
    if (tally.signature_count > 0)
      flow.paragraph(
        `${plural(tally.signature_count, 'person', 'people')} from ${plural(tally.country_count, 'country or territory', 'countries and territories')} write to you:`,
      );
    for (const paragraph of letter.paragraphs) flow.paragraph(paragraph);
    letter.demands.forEach((demand, i) => {
      const lines = writer.regular.wrap(demand, CONTENT_WIDTH - 24, 10.5);
      flow.ensure(lines.length * 14.7);
      writer.regular.line(`${i + 1}.`, MARGIN + 6, flow.y, 10.5);
      lines.forEach((line, j) => writer.regular.line(line, MARGIN + 24, flow.y + j * 14.7, 10.5));
      flow.space(lines.length * 14.7 + 4);
    });
    flow.space(6);
    for (const paragraph of letter.closing) flow.paragraph(paragraph);
    flow.paragraph(`Letter version (SHA-256 of ${letter.file}): ${letter.sha256}`, { size: 8, color: GREY });
  }

  // The tally.
  flow.newPage();
  flow.heading('The signatures, counted');
  flow.paragraph(
    `${plural(tally.signature_count, 'signature')} from ${plural(tally.country_count, 'country or territory', 'countries and territories')}, as of ${packet.date} (${packet.asOf}).`,
  );
  flow.paragraph(`Signature digest (SHA-256): ${tally.digest.value}`, { size: 8.5 });
  if (packet.commit) flow.paragraph(`Counted from commit ${packet.commit} of ${packet.repositoryUrl}.`, { size: 8.5 });
  flow.paragraph(
    `Recount: git checkout ${packet.commit || '<commit>'} && npm ci && npm run tally — prints the same count and digest.`,
    { size: 8.5, color: GREY },
  );
  if (packet.channels.length > 1) {
    flow.heading('By channel', 12);
    flow.rows(packet.channels.map((c) => [c.name, formatNumber(c.signature_count)]));
  }
  if (packet.letterVersions.length > 0) {
    flow.heading('By letter version signed', 12);
    flow.rows(
      packet.letterVersions.map((v) => [
        `${v.sha256 || '(unknown)'}${v.file ? ` (${v.file}, this packet)` : ''}`,
        formatNumber(v.signature_count),
      ]),
      7.5,
    );
  }
  if (packet.volumes.length > 0) {
    flow.heading('Volumes', 12);
    flow.rows(
      packet.volumes.map((v) => [
        `${v.stem}: signatures ${formatNumber(v.firstRank)}–${formatNumber(v.lastRank)}, digest ${v.digest}`,
        formatNumber(v.signatureCount),
      ]),
      7.5,
    );
  }
  flow.heading('By country or territory', 12);
  flow.rows(tally.signatures_by_country.map((c) => [c.name, formatNumber(c.signature_count)]));

  await finish(
    writer,
    `${packet.title} · ${packet.date}${packet.commit ? ` · commit ${packet.commit.slice(0, 12)}` : ''}`,
  );
  return missing;
}

const COLUMNS = { rank: 40, name: 205, country: 130, signed: 58 };
const ROW_SIZE = 8.5;
const ROW_LINE = 11;

/**
 * Writes one volume: a table of its signatures (rank, name, country or territory, date signed,
 * receipt issue), the header repeated on every page, oldest first. Returns, for each code point
 * no font could draw, the user ids whose text has it (for the report: never the text itself).
 */
export async function writeVolumePdf(
  file: string,
  packet: Packet,
  volume: Volume,
  fonts: LoadedFonts,
): Promise<Map<number, Array<number | string>>> {
  const summary = packet.volumes[volume.number - 1]!;
  const missing = new Set<number>();
  const writer = openDocument(
    file,
    fonts,
    packet,
    `${packet.title}: signatures, volume ${volume.number} of ${packet.volumes.length}`,
    missing,
  );
  const { doc, regular, bold } = writer;
  const x = {
    rank: MARGIN,
    name: MARGIN + COLUMNS.rank + 8,
    country: MARGIN + COLUMNS.rank + 8 + COLUMNS.name + 6,
    signed: MARGIN + COLUMNS.rank + 8 + COLUMNS.name + 6 + COLUMNS.country + 6,
  };
  const receiptX = x.signed + COLUMNS.signed + 6;
  const receiptWidth = MARGIN + CONTENT_WIDTH - receiptX;
  const bottom = A4[1] - MARGIN - 6;
  let y = 0;
  const header = () => {
    y = MARGIN;
    bold.line(`${packet.title}: signatures, volume ${volume.number} of ${packet.volumes.length}`, MARGIN, y, 10);
    y += 14;
    doc.fillColor(GREY);
    regular.line(
      `Signatures ${formatNumber(volume.firstRank)}–${formatNumber(volume.lastRank)} of ${formatNumber(packet.tally.signature_count)}, oldest first · as of ${packet.date}` +
        (packet.commit ? ` · commit ${packet.commit.slice(0, 12)}` : ''),
      MARGIN,
      y,
      8,
    );
    doc.fillColor('black');
    y += 16;
    bold.line('No.', x.rank, y, ROW_SIZE, 'right', COLUMNS.rank);
    bold.line('Name', x.name, y, ROW_SIZE);
    bold.line('Country or territory', x.country, y, ROW_SIZE);
    bold.line('Signed', x.signed, y, ROW_SIZE);
    bold.line('Receipt', receiptX, y, ROW_SIZE, 'right', receiptWidth);
    y += ROW_LINE + 1;
    doc
      .moveTo(MARGIN, y - 2)
      .lineTo(MARGIN + CONTENT_WIDTH, y - 2)
      .lineWidth(0.5)
      .stroke();
  };
  header();
  const countries = new Map<string, string>();
  const missingBy = new Map<number, Array<number | string>>();
  volume.records.forEach((record: PetitionRecord, index) => {
    const before = missing.size;
    const names = regular.wrap(record.name, COLUMNS.name, ROW_SIZE);
    let country = countries.get(record.country);
    if (country === undefined) countries.set(record.country, (country = countryName(record.country)));
    const countryLines = regular.wrap(country, COLUMNS.country, ROW_SIZE);
    const height = Math.max(names.length, countryLines.length) * ROW_LINE;
    if (y + height > bottom) {
      doc.addPage();
      header();
    }
    regular.line(formatNumber(volume.firstRank + index), x.rank, y, ROW_SIZE, 'right', COLUMNS.rank);
    names.forEach((line, i) => regular.line(line, x.name, y + i * ROW_LINE, ROW_SIZE));
    countryLines.forEach((line, i) => regular.line(line, x.country, y + i * ROW_LINE, ROW_SIZE));
    regular.line(record.signed_at.slice(0, 10), x.signed, y, ROW_SIZE);
    regular.line(isOffline(record) ? record.channel : `#${record.issue}`, receiptX, y, ROW_SIZE, 'right', receiptWidth);
    y += height;
    if (missing.size > before || (missing.size > 0 && [...record.name].some((c) => missing.has(c.codePointAt(0)!)))) {
      for (const character of record.name) {
        const codePoint = character.codePointAt(0)!;
        if (!missing.has(codePoint)) continue;
        const ids = missingBy.get(codePoint) ?? [];
        const key = isOffline(record) ? record.id : record.user_id;
        if (!ids.includes(key)) ids.push(key);
        missingBy.set(codePoint, ids);
      }
    }
  });
  await finish(
    writer,
    `${packet.title} · volume ${volume.number} of ${packet.volumes.length} · ${plural(summary.signatureCount, 'signature')} · SHA-256 ${summary.digest}`,
  );
  return missingBy;
}
