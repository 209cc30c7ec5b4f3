/**
 * The delivery PDFs, written directly with pdfkit (no browser): the letter (cover letter, the
 * letter in each language, the tally) and one PDF per volume of signatures. Signer text goes in
 * as text only, drawn run by run in the font that has its characters (scripts/delivery/text-runs.ts,
 * through pdf-text.ts); the document, its flow and footer are in pdf-document.ts.
 */
import { countryName } from '../core/countries.ts';
import { formatDate, formatNumber, plural } from '../core/format.ts';
import { holderNow, recipientLine, type LetterVersion } from '../core/letter.ts';
import { isOffline, type PetitionRecord } from '../core/offline-signature.ts';
import type { LoadedFonts } from './fonts.ts';
import type { Packet } from './packet.ts';
import { A4, CONTENT_WIDTH, finish, Flow, GREY, MARGIN, openDocument, type Writer } from './pdf-document.ts';
import type { Volume } from './volumes.ts';

/** The cover letter: sender, date, the offices addressed with the historical note, the covering text. */
function coverLetter(flow: Flow, packet: Packet): void {
  const { tally } = packet;
  flow.paragraph(packet.sender, { bold: true, gap: 0 });
  flow.paragraph(packet.contact, { gap: 0 });
  if (packet.contact !== packet.repositoryUrl) flow.paragraph(packet.repositoryUrl, { gap: 0 });
  flow.space(14);
  flow.paragraph(packet.date, { gap: 14 });
  flow.paragraph('To:', { bold: true, gap: 2 });
  for (const a of packet.addressees) {
    flow.paragraph(a.office || a.named, { indent: 12, gap: 0 });
    const now = holderNow(a, formatDate);
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
}

/** The letter in one language, on pages of its own, with the version signers read. */
function letterPages(flow: Flow, writer: Writer, packet: Packet, letter: LetterVersion): void {
  const { tally } = packet;
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

/** The tally: count, digest, how to recount, and the count by channel, letter version, volume and country. */
function tallyPages(flow: Flow, packet: Packet): void {
  const { tally } = packet;
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
  coverLetter(flow, packet);
  for (const letter of packet.letters) letterPages(flow, writer, packet, letter);
  tallyPages(flow, packet);
  await finish(
    writer,
    `${packet.title} · ${packet.date}${packet.commit ? ` · commit ${packet.commit.slice(0, 12)}` : ''}`,
  );
  return missing;
}

const COLUMNS = { rank: 40, name: 205, country: 130, signed: 58 };
const ROW_SIZE = 8.5;
const ROW_LINE = 11;

/** Where each column of a volume's table starts, and the receipt column's width. */
const X = {
  rank: MARGIN,
  name: MARGIN + COLUMNS.rank + 8,
  country: MARGIN + COLUMNS.rank + 8 + COLUMNS.name + 6,
  signed: MARGIN + COLUMNS.rank + 8 + COLUMNS.name + 6 + COLUMNS.country + 6,
  receipt: MARGIN + COLUMNS.rank + 8 + COLUMNS.name + 6 + COLUMNS.country + 6 + COLUMNS.signed + 6,
};
const RECEIPT_WIDTH = MARGIN + CONTENT_WIDTH - X.receipt;
const VOLUME_BOTTOM = A4[1] - MARGIN - 6;

/** The head of every page of a volume: its title, its ranks, and the table's header. Returns where rows start. */
function volumeHeader(writer: Writer, packet: Packet, volume: Volume): number {
  const { doc, regular, bold } = writer;
  let y = MARGIN;
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
  bold.line('No.', X.rank, y, ROW_SIZE, 'right', COLUMNS.rank);
  bold.line('Name', X.name, y, ROW_SIZE);
  bold.line('Country or territory', X.country, y, ROW_SIZE);
  bold.line('Signed', X.signed, y, ROW_SIZE);
  bold.line('Receipt', X.receipt, y, ROW_SIZE, 'right', RECEIPT_WIDTH);
  y += ROW_LINE + 1;
  doc
    .moveTo(MARGIN, y - 2)
    .lineTo(MARGIN + CONTENT_WIDTH, y - 2)
    .lineWidth(0.5)
    .stroke();
  return y;
}

/** Notes, for each character of the signer's name no font has, the signer's id (never the text). */
function noteMissing(record: PetitionRecord, missing: Set<number>, missingBy: Map<number, Array<number | string>>) {
  for (const character of record.name) {
    const codePoint = character.codePointAt(0)!;
    if (!missing.has(codePoint)) continue;
    const ids = missingBy.get(codePoint) ?? [];
    const key = isOffline(record) ? record.id : record.user_id;
    if (!ids.includes(key)) ids.push(key);
    missingBy.set(codePoint, ids);
  }
}

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
  const { doc, regular } = writer;
  let y = volumeHeader(writer, packet, volume);
  const countries = new Map<string, string>();
  const missingBy = new Map<number, Array<number | string>>();
  volume.records.forEach((record: PetitionRecord, index) => {
    const before = missing.size;
    const names = regular.wrap(record.name, COLUMNS.name, ROW_SIZE);
    let country = countries.get(record.country);
    if (country === undefined) countries.set(record.country, (country = countryName(record.country)));
    const countryLines = regular.wrap(country, COLUMNS.country, ROW_SIZE);
    const height = Math.max(names.length, countryLines.length) * ROW_LINE;
    if (y + height > VOLUME_BOTTOM) {
      doc.addPage();
      y = volumeHeader(writer, packet, volume);
    }
    regular.line(formatNumber(volume.firstRank + index), X.rank, y, ROW_SIZE, 'right', COLUMNS.rank);
    names.forEach((line, i) => regular.line(line, X.name, y + i * ROW_LINE, ROW_SIZE));
    countryLines.forEach((line, i) => regular.line(line, X.country, y + i * ROW_LINE, ROW_SIZE));
    regular.line(record.signed_at.slice(0, 10), X.signed, y, ROW_SIZE);
    regular.line(
      isOffline(record) ? record.channel : `#${record.issue}`,
      X.receipt,
      y,
      ROW_SIZE,
      'right',
      RECEIPT_WIDTH,
    );
    y += height;
    if (missing.size > before || (missing.size > 0 && [...record.name].some((c) => missing.has(c.codePointAt(0)!))))
      noteMissing(record, missing, missingBy);
  });
  await finish(
    writer,
    `${packet.title} · volume ${volume.number} of ${packet.volumes.length} · ${plural(summary.signatureCount, 'signature')} · SHA-256 ${summary.digest}`,
  );
  return missingBy;
}
