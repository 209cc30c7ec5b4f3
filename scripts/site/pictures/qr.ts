/**
 * QR codes for the poster, drawn as one SVG path from the modules that the qrcode package
 * computes (error correction level M: a printed code survives a crease or a smudge). Pure.
 */
import QRCode from 'qrcode';
import { escapeXml } from './svg.ts';

/** The QR code of `url` as SVG: dark modules on white with the four-module quiet zone scanners need. */
export function qrCodeSvg(url: string, options: { label: string; colour?: string }): string {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const quiet = 4;
  let d = '';
  for (let row = 0; row < size; row += 1) {
    for (let column = 0; column < size; column += 1) {
      // Runs of dark modules in a row become one rectangle: a third of the path's length.
      if (!modules.get(row, column)) continue;
      let end = column;
      while (end + 1 < size && modules.get(row, end + 1)) end += 1;
      d += `M${column + quiet} ${row + quiet}h${end - column + 1}v1h-${end - column + 1}z`;
      column = end;
    }
  }
  const full = size + 2 * quiet;
  return (
    `<svg class="qr-code" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" role="img" aria-label="${escapeXml(options.label)}" shape-rendering="crispEdges">` +
    `<title>${escapeXml(options.label)}</title><rect width="${full}" height="${full}" fill="#ffffff"/>` +
    `<path fill="${escapeXml(options.colour ?? '#000000')}" d="${d}"/></svg>`
  );
}
