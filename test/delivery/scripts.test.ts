/**
 * Names in Hangul, Thai, Georgian and Armenian are printed in the delivery PDFs, each in a font
 * that has its script, and come back out of the PDF as the same text: pdffonts lists the
 * embedded faces and pdftotext reads the names (poppler-utils).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { deliver } from '../../scripts/commands/delivery.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { baseSettings } from '../helpers/site.ts';

const run = promisify(execFile);
const NAMES = {
  NotoSansThai: 'สมชาย ใจดี',
  NotoSansGeorgian: 'ნინო ბერიძე',
  NotoSansArmenian: 'Անի Պետրոսյան',
  NotoSansKR: '김민준',
};

let work: string;
let missing: { size: number };
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'petition-scripts-'));
  const records = generateSampleRecords(Object.keys(NAMES).length, { seed: 5 }).map((record, index) => ({
    ...record,
    name: Object.values(NAMES)[index]!,
  }));
  await writeSignatureFiles(path.join(work, 'signatures'), records);
  const settingsPath = path.join(work, 'settings.json');
  await writeFile(settingsPath, JSON.stringify(baseSettings));
  const result = await deliver(
    {
      out: path.join(work, 'packet'),
      volumeSize: 100,
      asOf: new Date('2026-11-25T12:00:00Z'),
      commit: 'b'.repeat(40),
      threads: 1,
    },
    { ...process.env, SIGNATURES_DIR: path.join(work, 'signatures'), PETITION_SETTINGS: settingsPath },
  );
  missing = result.missing;
}, 120_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('the cover letter of the packet', () => {
  it('names who holds each office today, with the day that was checked', async () => {
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', path.join(work, 'packet', 'letter.pdf'), '-']);
    const text = stdout.replace(/\s+/g, ' ');
    const offices = baseSettings.offices_now as { holder: string; holder_as_of: string }[];
    expect(offices.length).toBeGreaterThan(0);
    for (const office of offices) {
      const day = new Date(`${office.holder_as_of}T00:00:00Z`).toLocaleDateString('en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      });
      expect(text).toContain(`today (as of ${day}): ${office.holder}`);
    }
  });
});

describe('names in Hangul, Thai, Georgian and Armenian', () => {
  it('are printed, each with a font of its script, and read back as the same text', async () => {
    expect(missing.size, 'characters no font draws').toBe(0);
    const volume = path.join(work, 'packet', 'volume-01.pdf');
    const { stdout: fontList } = await run('pdffonts', [volume]);
    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', volume, '-']);
    for (const [font, name] of Object.entries(NAMES)) {
      expect(fontList, font).toMatch(new RegExp(`[A-Z]{6}\\+${font}`));
      expect(text.normalize('NFC'), name).toContain(name.normalize('NFC'));
    }
  });
});
