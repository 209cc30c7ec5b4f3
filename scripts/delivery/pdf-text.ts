/**
 * Text in the delivery PDFs: mixed-script text measured, wrapped and drawn run by run in the font
 * that has its characters (scripts/delivery/text-runs.ts), with the layouts of numbers put
 * together from single characters, which is what keeps a volume of 10,000 names fast.
 */
import type { DeliveryFont } from './fonts.ts';
import { fontRuns, visualOrder, type Coverage, type TextRun } from './text-runs.ts';

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
export class TextDrawer {
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
