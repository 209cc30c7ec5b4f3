/**
 * The lead image named in the settings: its intrinsic size (for width and height attributes, so
 * the page does not jump as it loads) and a data: URL for the share cards. Pure: takes the bytes.
 */
import type { CardImage } from './card.ts';

const TYPES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg' };

/** Width and height of an SVG (its width/height or viewBox), PNG (IHDR) or JPEG (first SOF marker). */
export function imageSize(bytes: Buffer, extension: string): { width: number; height: number } | undefined {
  const type = extension.toLowerCase();
  if (type === 'png' && bytes.length > 24 && bytes.toString('latin1', 1, 4) === 'PNG') {
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  }
  if (type === 'jpg' || type === 'jpeg') {
    let offset = 2;
    while (offset + 9 < bytes.length && bytes[offset] === 0xff) {
      const marker = bytes[offset + 1]!;
      // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame's size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: bytes.readUInt16BE(offset + 5), width: bytes.readUInt16BE(offset + 7) };
      }
      offset += 2 + bytes.readUInt16BE(offset + 2);
    }
    return undefined;
  }
  if (type === 'svg') {
    const root = /<svg\b[^>]*>/i.exec(bytes.toString('utf8'))?.[0] ?? '';
    const number = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)(?:px)?"`).exec(root)?.[1]);
    const width = number('width');
    const height = number('height');
    if (width > 0 && height > 0) return { width, height };
    const box = /\sviewBox="[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)"/.exec(root);
    if (box) return { width: Number(box[1]), height: Number(box[2]) };
  }
  return undefined;
}

/** The image as a data: URL with its size, for drawing it into a share card. */
export function cardImage(bytes: Buffer, extension: string): CardImage | undefined {
  const size = imageSize(bytes, extension);
  const type = TYPES[extension.toLowerCase()];
  if (!size || !type) return undefined;
  return { dataUrl: `data:${type};base64,${bytes.toString('base64')}`, ...size };
}
