/**
 * Cutting a font down to the characters one picture draws, with HarfBuzz's subsetter
 * (harfbuzzjs: a WebAssembly module with no imports, shipped in the npm package). A share card in
 * Chinese needs a few dozen of the 8 MB Noto Sans CJK face's 30,000 glyphs: the subset is a few
 * dozen kilobytes, a valid OpenType font that resvg reads like the whole one.
 *
 * HarfBuzz keeps the name table's first names (IDs 0–6): a subset is known by its family name of
 * ID 1, which for Noto's CJK faces carries the weight ("Noto Sans S Chinese Bold").
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface SubsetExports {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, codePoint: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

let subsetter: SubsetExports | undefined;

function harfbuzz(): SubsetExports {
  if (!subsetter) {
    const file = createRequire(import.meta.url).resolve('harfbuzzjs/dist/harfbuzz-subset.wasm');
    const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), {});
    subsetter = instance.exports as unknown as SubsetExports;
  }
  return subsetter;
}

/** HB_MEMORY_MODE_WRITABLE: HarfBuzz may use the bytes in place. */
const WRITABLE = 2;

/**
 * The font `font` (OpenType, TrueType or CFF outlines) cut to the glyphs of the characters of
 * `text` (and what they need: components, ligatures HarfBuzz keeps by default). Throws when
 * HarfBuzz cannot subset it, which for our bundled fonts is a bug, not an input.
 */
export function subsetFont(font: Uint8Array, text: string): Buffer {
  const hb = harfbuzz();
  const fontPointer = hb.malloc(font.byteLength);
  new Uint8Array(hb.memory.buffer).set(font, fontPointer);
  const blob = hb.hb_blob_create(fontPointer, font.byteLength, WRITABLE, 0, 0);
  const face = hb.hb_face_create(blob, 0);
  hb.hb_blob_destroy(blob);
  const input = hb.hb_subset_input_create_or_fail();
  const unicodes = hb.hb_subset_input_unicode_set(input);
  for (const character of new Set(text)) hb.hb_set_add(unicodes, character.codePointAt(0)!);
  const subset = hb.hb_subset_or_fail(face, input);
  hb.hb_subset_input_destroy(input);
  try {
    if (!subset) throw new Error('HarfBuzz could not subset the font.');
    const result = hb.hb_face_reference_blob(subset);
    const offset = hb.hb_blob_get_data(result, 0);
    const length = hb.hb_blob_get_length(result);
    // Copied out: the module's memory is reused (and may grow, detaching views) on the next call.
    const bytes = Buffer.from(new Uint8Array(hb.memory.buffer, offset, length));
    hb.hb_blob_destroy(result);
    hb.hb_face_destroy(subset);
    return bytes;
  } finally {
    hb.hb_face_destroy(face);
    hb.free(fontPointer);
  }
}
