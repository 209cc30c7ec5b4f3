/**
 * One delivery PDF as pdfkit writes it: an A4 document with the packet's fonts and metadata, a
 * flowing column of paragraphs and tables, and a footer with page numbers on every page.
 *
 * A document is deterministic for a given packet: its creation date is the packet's moment and
 * pdfkit derives the file id from it, so the same commit and moment give the same bytes.
 */
import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';
import type { LoadedFonts } from './fonts.ts';
import type { Packet } from './packet.ts';
import { TextDrawer } from './pdf-text.ts';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 48;
export const CONTENT_WIDTH = A4[0] - 2 * MARGIN;
export const GREY = '#444444';

/** An open document, its two weights of text, and the moment its file is written. */
export interface Writer {
  doc: PDFKit.PDFDocument;
  regular: TextDrawer;
  bold: TextDrawer;
  done: Promise<void>;
}

/** Opens a document writing to `file`; every code point no font has goes into `missing`. */
export function openDocument(
  file: string,
  fonts: LoadedFonts,
  packet: Packet,
  title: string,
  missing: Set<number>,
): Writer {
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
export async function finish(writer: Writer, footer: string): Promise<void> {
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
export class Flow {
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
