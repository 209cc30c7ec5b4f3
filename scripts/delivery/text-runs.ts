/**
 * Turning one line of signer text into runs a PDF can draw: which of several fonts draws each
 * character (no single font covers Latin, Cyrillic, Arabic, Hebrew and Chinese), and in which
 * order the runs go on the line when right-to-left script is mixed with left-to-right.
 *
 * pdfkit draws a run through fontkit, which shapes Arabic (joining forms) and lays out a run of
 * Arabic or Hebrew right to left by itself; what neither does is choose fonts or order the runs
 * of a mixed line. This is a small subset of the Unicode bidirectional algorithm (strong types,
 * neutrals between strong runs, levels up to 2, rule L2's reversal), enough for names and short
 * reasons; the loader already refuses the explicit bidi controls that would need the rest. Pure.
 */

/** Whether font `font` (an index into the fallback list) has a glyph for `codePoint`. */
export type Coverage = (font: number, codePoint: number) => boolean;

export interface TextRun {
  text: string;
  /** Index into the fallback list of fonts. */
  font: number;
  /** Drawn right to left. */
  rtl: boolean;
}

type Direction = 'L' | 'R' | 'N';

const RTL_SCRIPT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]|[\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;
const STRONG_LTR = /\p{L}/u;
const MARK = /\p{M}/u;

function direction(character: string): Direction {
  if (RTL_SCRIPT.test(character) && !MARK.test(character)) return 'R';
  return STRONG_LTR.test(character) ? 'L' : 'N';
}

/** Characters no font covers: they would print as an empty box ("tofu"). */
export interface Uncovered {
  codePoint: number;
}

/**
 * Splits `text` into runs in logical order, each drawn by the first font of the fallback list
 * that covers all of it. Spaces, punctuation and combining marks stay in the font of the
 * character before them when it covers them, so a run is as long as it can be. `missing`
 * receives every code point no font covers (drawn in font 0, which shows .notdef).
 */
export function fontRuns(text: string, fontCount: number, covers: Coverage, missing?: Set<number>): TextRun[] {
  const characters = [...text];
  const types = characters.map(direction);
  // Combining marks take the type of their base.
  for (let i = 1; i < characters.length; i += 1) if (MARK.test(characters[i]!)) types[i] = types[i - 1]!;
  const paragraphRtl = types.find((type) => type !== 'N') === 'R';
  const base: Direction = paragraphRtl ? 'R' : 'L';
  // Neutrals between two strong characters of one direction take it; otherwise the paragraph's.
  const resolved = types.slice();
  for (let i = 0; i < resolved.length; i += 1) {
    if (resolved[i] !== 'N') continue;
    let end = i;
    while (end < resolved.length && resolved[end] === 'N') end += 1;
    const before = i > 0 ? resolved[i - 1]! : base;
    const after = end < resolved.length ? resolved[end]! : base;
    const fill = before === after ? before : base;
    for (let j = i; j < end; j += 1) resolved[j] = fill;
    i = end - 1;
  }

  const runs: TextRun[] = [];
  let previousFont = -1;
  characters.forEach((character, i) => {
    const codePoint = character.codePointAt(0)!;
    let font = -1;
    const weak = types[i] === 'N' || MARK.test(character);
    if (weak && previousFont >= 0 && covers(previousFont, codePoint)) font = previousFont;
    for (let candidate = 0; font < 0 && candidate < fontCount; candidate += 1)
      if (covers(candidate, codePoint)) font = candidate;
    if (font < 0) {
      missing?.add(codePoint);
      font = previousFont >= 0 ? previousFont : 0;
    }
    previousFont = font;
    const rtl = resolved[i] === 'R';
    const last = runs.at(-1);
    if (last && last.font === font && last.rtl === rtl) last.text += character;
    else runs.push({ text: character, font, rtl });
  });
  return runs;
}

/**
 * Puts runs (logical order) in the order they appear from left to right. A right-to-left run of
 * a right-to-left script is left as it is (fontkit reverses it while shaping); one of neutrals
 * alone (spaces, dashes between Arabic words) is reversed here, since nothing else would.
 */
export function visualOrder(runs: readonly TextRun[]): TextRun[] {
  if (!runs.some((run) => run.rtl)) return runs.slice();
  const paragraphRtl = runs.find((run) => RTL_SCRIPT.test(run.text) || STRONG_LTR.test(run.text))?.rtl ?? false;
  const level = (run: TextRun) => (run.rtl ? 1 : paragraphRtl ? 2 : 0);
  const ordered = runs.map((run) => ({
    ...run,
    text: run.rtl && !RTL_SCRIPT.test(run.text) ? [...run.text].reverse().join('') : run.text,
  }));
  const levels = ordered.map(level);
  // Rule L2: from the highest level down to 1, reverse every maximal sequence at that level or above.
  for (let at = Math.max(...levels); at >= 1; at -= 1) {
    for (let i = 0; i < ordered.length; i += 1) {
      if (levels[i]! < at) continue;
      let end = i;
      while (end < ordered.length && levels[end]! >= at) end += 1;
      const runsPart = ordered.slice(i, end).reverse();
      const levelsPart = levels.slice(i, end).reverse();
      ordered.splice(i, end - i, ...runsPart);
      levels.splice(i, end - i, ...levelsPart);
      i = end - 1;
    }
  }
  return ordered;
}
