/**
 * The PDFs' fonts draw every character signers write: no empty boxes ("tofu"). Checks the
 * characters of the sample signatures (names in many scripts), the hostile fixtures, the letter,
 * every country name and a line of each script the petition expects, and reports which fall
 * back from Noto Sans to another font.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCountries } from '../../scripts/core/countries.ts';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { loadFonts } from '../../scripts/delivery/fonts.ts';
import { fontRuns, visualOrder, type Coverage } from '../../scripts/delivery/text-runs.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { projectRoot } from '../helpers/site.ts';

const fonts = loadFonts();
const covers = fonts.coverage(fonts.regular);
const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** A line of each script signers of this petition write, with the accents of many languages. */
const SCRIPTS = [
  'Анна Петрова, Дмитрий Иванов, Батбаяр Дорж, Әсел Нұрланқызы, Ґанна Їжак', // Russian, Mongolian, Kazakh, Ukrainian
  '王小明 李伟 张娜 陳張劉黃 鄭體國學 保护远东豹，保护我们的森林。', // Chinese, simplified and traditional
  'فاطمة العلي محمد عبد الله', // Arabic
  'José Müller Søren Ayşe Yılmaz Nguyễn Văn An Łukasz Źródło Siobhán Ørsted Œuvre Đặng', // Latin with accents
  'Αλέξανδρος Παπαδόπουλος', // Greek
  'שרה כהן', // Hebrew
  'प्रिया सिंह', // Devanagari
  'ひらがな カタカナ', // Japanese kana
  'สมชาย ใจดี', // Thai
  'ნინო ბერიძე', // Georgian
  'Անի Պետրոսյան', // Armenian
  '김민준 이서연 박지훈', // Korean
];

async function characters(): Promise<Map<number, string>> {
  const texts: string[] = [...SCRIPTS];
  for (const record of generateSampleRecords(3000, { seed: 1 })) texts.push(record.name, record.reason);
  for (const folder of ['hostile', 'one']) {
    const { records } = await loadSignatures(path.join(projectRoot, 'test/fixtures/signatures', folder));
    for (const record of records) texts.push(record.name, record.reason);
  }
  texts.push(await readFile(path.join(projectRoot, 'content/letter.md'), 'utf8'));
  for (const country of allCountries()) texts.push(country.name);
  const found = new Map<number, string>();
  for (const text of texts)
    for (const character of text) if (!/\s/.test(character)) found.set(character.codePointAt(0)!, character);
  return found;
}

describe('the fonts of the delivery PDFs', () => {
  it('cover every character in the signatures, the letter and the country names', async () => {
    const all = await characters();
    const missing = new Set<number>();
    const byFont = new Map<string, string[]>();
    for (const [codePoint, character] of all) {
      const [run] = fontRuns(character, fonts.regular.length, covers, missing);
      if (missing.has(codePoint)) continue;
      const name = fonts.regular[run!.font]!.name;
      byFont.set(name, [...(byFont.get(name) ?? []), character]);
    }
    // The report: which characters fall back from Noto Sans, and to which font.
    for (const [name, list] of byFont)
      if (name !== fonts.regular[0]!.name)
        console.info(`${list.length} characters fall back to ${name}: ${list.join('')}`);
    expect([...missing].map(hex), 'characters no font draws').toEqual([]);
    expect(all.size).toBeGreaterThan(200);
    expect(byFont.get('NotoNaskhArabic')).toContain('م');
    expect(byFont.get('NotoSansHans')).toContain('豹');
    expect(byFont.get('NotoSans')).toContain('Д');
    expect(byFont.get('NotoSansThai')).toContain('ส');
    expect(byFont.get('NotoSansGeorgian')).toContain('ნ');
    expect(byFont.get('NotoSansArmenian')).toContain('Ա');
    expect(byFont.get('NotoSansKR')).toContain('김');
  });

  it('report a character no font has, rather than drawing it silently as a box', () => {
    const missing = new Set<number>();
    // The Korean face has the 2,350 syllables of KS X 1001: 똠 is not one of them.
    fontRuns('Kim 김똠', fonts.regular.length, covers, missing);
    expect([...missing].map(hex)).toEqual(['U+B620']);
  });
});

describe('mixed scripts on one line', () => {
  // Two fonts: 0 has Latin (and spaces), 1 has Arabic and Hebrew.
  const coverage: Coverage = (font, codePoint) =>
    font === 0 ? codePoint < 0x0590 : (codePoint >= 0x0590 && codePoint <= 0x06ff) || codePoint === 0x20;

  it('draw each script with a font that has it, keeping spaces in the run they belong to', () => {
    expect(fontRuns('Anna محمد', 2, coverage)).toEqual([
      { text: 'Anna ', font: 0, rtl: false },
      { text: 'محمد', font: 1, rtl: true },
    ]);
  });

  it('put a right-to-left name with a Latin part in right-to-left order', () => {
    const runs = visualOrder(fontRuns('محمد Silva', 2, coverage));
    // The space belongs to the Arabic run, which fontkit lays out right to left: " محمد" after Silva.
    expect(runs).toEqual([
      { text: 'Silva', font: 0, rtl: false },
      { text: 'محمد ', font: 1, rtl: true },
    ]);
  });

  it('keep two Arabic words in reading order inside a Latin line', () => {
    const runs = visualOrder(fontRuns('Dr فاطمة العلي', 2, coverage));
    // fontkit lays out the Arabic run right to left itself: the run stays in logical order.
    expect(runs).toEqual([
      { text: 'Dr ', font: 0, rtl: false },
      { text: 'فاطمة العلي', font: 1, rtl: true },
    ]);
  });

  it('leave a left-to-right line as it is', () => {
    expect(visualOrder(fontRuns('Анна Петрова', 2, coverage))).toEqual([{ text: 'Анна Петрова', font: 0, rtl: false }]);
  });
});
