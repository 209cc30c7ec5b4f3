/**
 * A QR code as inline SVG, for the printable signature sheet: one path of dark modules, no
 * script, no external file, crisp at any print size. Uses the `qrcode` package's encoder only.
 */
import QRCode from 'qrcode';
import { escapeHtml } from '../core/text.ts';

/**
 * The SVG for `text` (the site's address), with a 4-module quiet zone as the standard asks and
 * `label` as its accessible name.
 */
export function qrSvg(text: string, label: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const quiet = 4;
  const size = modules.size + quiet * 2;
  let path = '';
  for (let row = 0; row < modules.size; row += 1)
    for (let column = 0; column < modules.size; column += 1)
      if (modules.get(row, column)) path += `M${column + quiet} ${row + quiet}h1v1h-1z`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 ${size} ${size}" role="img" aria-label="${escapeHtml(label)}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${path}"/></svg>`
  );
}
