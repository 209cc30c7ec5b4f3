/**
 * The delivery packet as printable HTML: the same content as the PDFs, for anyone who would
 * rather print from a browser, one page for the letter and one per volume so that each stays
 * small. Standalone files (styles inline, nothing loaded from elsewhere), readable offline.
 * Signer text is escaped with escapeHtml; nothing a signer wrote is ever markup. Pure.
 */
import { isOffline } from '../core/offline-signature.ts';
import { countryName } from '../core/countries.ts';
import { holderNow, recipientLine } from '../core/letter.ts';
import { escapeHtml } from '../core/text.ts';
import { formatDate, formatNumber, plural } from '../core/format.ts';
import type { LetterVersion } from '../core/letter.ts';
import type { Packet } from './packet.ts';
import type { Volume } from './volumes.ts';

const e = (value: string | number) => escapeHtml(String(value));

/** Light colours always (the packet is for paper), the header row repeated on every printed page. */
const STYLE = `
:root { color-scheme: light; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; font: 11pt/1.5 "Noto Sans", system-ui, sans-serif; color: #111; background: #fff; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.meta, .note { color: #333; font-size: 0.9rem; }
.note { border-left: 4px solid #8a4b00; padding: 0.25rem 0.75rem; background: #f6f1ea; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.1rem 0.4rem; border-bottom: 1px solid #ccc; vertical-align: top; }
.num, .signatures td:first-child, .signatures td:last-child { text-align: right; font-variant-numeric: tabular-nums; }
code { overflow-wrap: anywhere; font-size: 0.85em; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .signatures { font-size: 8pt; }
  .signatures th, .signatures td { font-size: inherit; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  .letter { break-before: page; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 0.85em; overflow-wrap: anywhere; }
  .signatures a::after { content: none; }
}
`;

function page(language: string, title: string, body: string, base = ''): string {
  return `<!doctype html>
<html lang="${e(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>${base ? `\n<base href="${e(base)}">` : ''}
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The cover letter: sender, date, the offices addressed with the historical note, the covering text. */
function coverLetterHtml(packet: Packet): string[] {
  const { tally } = packet;
  const parts: string[] = [];
  parts.push(`<section aria-labelledby="cover"><h2 id="cover">Cover letter</h2>`);
  parts.push(
    `<p><strong>${e(packet.sender)}</strong><br>${e(packet.contact)}${packet.contact !== packet.repositoryUrl ? `<br><a href="${e(packet.repositoryUrl)}">${e(packet.repositoryUrl)}</a>` : ''}</p>`,
  );
  parts.push(`<p><time datetime="${e(packet.asOf.slice(0, 10))}">${e(packet.date)}</time></p>`);
  parts.push('<p><strong>To:</strong></p><ul>');
  for (const a of packet.addressees) {
    // An institution ("City Council") has no person named: nothing to say about one.
    const was = a.named
      ? a.left
        ? `the letter names ${a.named}, who left this office in ${a.left}`
        : `the letter names ${a.named}`
      : '';
    const meta = [was, holderNow(a, formatDate)].filter(Boolean).join('; ');
    parts.push(`<li>${e(a.office || a.named)}${meta ? ` <span class="meta">(${e(meta)})</span>` : ''}</li>`);
  }
  parts.push('</ul>');
  parts.push(
    `<p><strong>Delivery of the open letter “${e(packet.title)}”: ${e(plural(tally.signature_count, 'signature'))}</strong></p>`,
  );
  if (packet.note) parts.push(`<p class="note">${e(packet.note)}</p>`);
  for (const paragraph of packet.cover) parts.push(`<p>${e(paragraph)}</p>`);
  parts.push(
    `<p>Yours faithfully,<br><strong>${e(packet.sender)}</strong><br>for the ${e(plural(tally.signature_count, 'signer'))}</p></section>`,
  );
  return parts;
}

/** The letter in one language, in a section of its own, with the version signers read. */
function letterSectionHtml(packet: Packet, letter: LetterVersion, countries: string): string[] {
  const { tally } = packet;
  const parts: string[] = [];
  const id = `letter-${letter.language}`;
  parts.push(`<section class="letter" lang="${e(letter.language)}" aria-labelledby="${e(id)}">`);
  parts.push(`<h2 id="${e(id)}">${e(letter.title)}</h2>`);
  if (packet.note) parts.push(`<p class="note">${e(packet.note)}</p>`);
  parts.push('<p><strong>To:</strong></p><ul>');
  for (const r of letter.recipients) parts.push(`<li>${e(recipientLine(r))}</li>`);
  parts.push('</ul>');
  if (tally.signature_count > 0)
    parts.push(`<p>${e(plural(tally.signature_count, 'person', 'people'))} from ${e(countries)} write to you:</p>`);
  for (const paragraph of letter.paragraphs) parts.push(`<p>${e(paragraph)}</p>`);
  parts.push(`<ol>${letter.demands.map((d) => `<li>${e(d)}</li>`).join('')}</ol>`);
  for (const paragraph of letter.closing) parts.push(`<p>${e(paragraph)}</p>`);
  parts.push(
    `<p class="meta">Letter version (SHA-256 of ${e(letter.file)}): <code>${e(letter.sha256)}</code></p></section>`,
  );
  return parts;
}

/** The tally: count, digest, how to recount, and the count by channel, volume and country. */
function tallyHtml(
  packet: Packet,
  volumeFiles: readonly { number: number; html: string; pdf: string }[],
  countries: string,
): string[] {
  const { tally } = packet;
  const parts: string[] = [];
  parts.push('<section class="letter" aria-labelledby="tally"><h2 id="tally">The signatures, counted</h2>');
  parts.push(`<p>${e(plural(tally.signature_count, 'signature'))} from ${e(countries)}, as of ${e(packet.date)}.</p>`);
  parts.push(
    `<p class="meta">Signature digest (SHA-256): <code>${e(tally.digest.value)}</code>. Recount: <code>git checkout ${e(packet.commit || '<commit>')} &amp;&amp; npm ci &amp;&amp; npm run tally</code>.</p>`,
  );
  if (packet.channels.length > 1) {
    parts.push(
      '<table><caption>By channel</caption><thead><tr><th scope="col">Channel</th><th scope="col" class="num">Signatures</th></tr></thead><tbody>',
    );
    for (const c of packet.channels)
      parts.push(`<tr><td>${e(c.name)}</td><td class="num">${e(formatNumber(c.signature_count))}</td></tr>`);
    parts.push('</tbody></table>');
  }
  if (volumeFiles.length > 0) {
    parts.push(
      '<h3>Volumes</h3><table><thead><tr><th scope="col">Volume</th><th scope="col">Signatures</th><th scope="col">Files</th><th scope="col">Digest (SHA-256)</th></tr></thead><tbody>',
    );
    for (const v of packet.volumes) {
      const files = volumeFiles.find((f) => f.number === v.number);
      parts.push(
        `<tr><td>${v.number}</td><td>${e(formatNumber(v.firstRank))}–${e(formatNumber(v.lastRank))}</td><td>${files ? `<a href="${e(files.html)}">HTML</a>, <a href="${e(files.pdf)}">PDF</a>` : ''}</td><td><code>${e(v.digest)}</code></td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  parts.push(
    '<table><caption>By country or territory</caption><thead><tr><th scope="col">Country or territory</th><th scope="col" class="num">Signatures</th></tr></thead><tbody>',
  );
  for (const c of tally.signatures_by_country)
    parts.push(`<tr><td>${e(c.name)}</td><td class="num">${e(formatNumber(c.signature_count))}</td></tr>`);
  parts.push('</tbody></table></section>');
  return parts;
}

/** The letter's HTML: cover letter, the letter in each language, the tally and the volumes. */
export function letterHtml(
  packet: Packet,
  volumeFiles: readonly { number: number; html: string; pdf: string }[],
): string {
  const { tally } = packet;
  const countries = plural(tally.country_count, 'country or territory', 'countries and territories');
  const parts: string[] = [];
  parts.push(`<h1>${e(packet.title)}: the letter and its signatures</h1>`);
  parts.push(
    `<p class="meta">As of <time datetime="${e(packet.asOf)}">${e(packet.date)}</time>${packet.commit ? `, counted from commit <code>${e(packet.commit)}</code>` : ''}.</p>`,
  );
  parts.push(...coverLetterHtml(packet));
  for (const letter of packet.letters) parts.push(...letterSectionHtml(packet, letter, countries));
  parts.push(...tallyHtml(packet, volumeFiles, countries));
  return page(packet.letters[0]?.language ?? 'en', `${packet.title}: the letter and its signatures`, parts.join('\n'));
}

/** One volume as a printable table: number, name, country or territory, date, receipt. */
export function volumeHtml(packet: Packet, volume: Volume, language: string): string {
  const title = `${packet.title}: signatures, volume ${volume.number} of ${packet.volumes.length}`;
  const issues = `https://github.com/${packet.repository}/issues/`;
  const countries = new Map<string, string>();
  // A row is most of a volume's bytes: cells without end tags (valid HTML), receipts as links
  // relative to <base> (the repository's issues), right alignment from the stylesheet.
  const rows = volume.records.map((record, index) => {
    let country = countries.get(record.country);
    if (country === undefined) countries.set(record.country, (country = e(countryName(record.country))));
    // An offline signature has no issue: its receipt is its channel and batch.
    const receipt = isOffline(record)
      ? `${record.channel}, ${e(record.batch)}`
      : `<a href="${record.issue}">#${record.issue}</a>`;
    return `<tr><td>${volume.firstRank + index}<td>${e(record.name)}<td>${country}<td>${e(record.signed_at.slice(0, 10))}<td>${receipt}`;
  });
  return page(
    language,
    title,
    `<h1>${e(title)}</h1>
<p class="meta">Signatures ${e(formatNumber(volume.firstRank))}–${e(formatNumber(volume.lastRank))} of ${e(formatNumber(packet.tally.signature_count))}, oldest first, as of <time datetime="${e(packet.asOf)}">${e(packet.date)}</time>${packet.commit ? `, commit <code>${e(packet.commit)}</code>` : ''}. SHA-256 of these signatures: <code>${e(volume.digest)}</code>.</p>
<table class="signatures">
<thead><tr><th scope="col" class="num">No.</th><th scope="col">Name</th><th scope="col">Country or territory</th><th scope="col">Signed</th><th scope="col" class="num">Receipt (issue)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`,
    issues,
  );
}
