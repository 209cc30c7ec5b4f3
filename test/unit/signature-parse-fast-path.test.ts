/**
 * The loader's fast ways through a signature file must be the full rules, only faster: the
 * canonical front-matter reader accepts exactly what the YAML library accepts and gives the same
 * record or the same problem, on canonical files, on the hostile fixtures and on thousands of
 * files mangled one edit at a time; the arithmetic shard check names the same paths as rendering
 * the path again does.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import {
  parseSignatureFile,
  renderSignatureFile,
  signatureRelativePath,
  userIdFromRelativePath,
  type SignatureRecord,
} from '../../scripts/core/signature-file.ts';
import { projectRoot } from '../helpers/site.ts';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces an edit may insert: YAML and JSON escapes, quotes, controls, marks, keys, line ends. */
const PIECES = [
  '\\',
  '\\"',
  '\\u0041',
  '\\u00',
  '\\x41',
  '\\N',
  '\\_',
  '\\0',
  '\\/',
  '\\e',
  '\\U0001F406',
  '\\\n',
  '"',
  "'",
  '\n',
  '\r\n',
  '\t',
  ' ',
  '#',
  ': ',
  '---',
  '\u0000',
  '\u202E',
  '\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  'é',
  '0',
  '-1',
  '1e3',
  '0x10',
  '007',
  'name: "x"\n',
  'channel: "github"\n',
  'channel: "paper"\n',
  'extra: 1\n',
  '!!str ',
  '&a ',
  '*a',
  '{}',
  '[]',
  'https://example.org',
  '=SUM(A1)',
];

/** `text` with one random edit: a deletion, an insertion of a piece, or a swapped character. */
function mangle(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const kind = next();
  if (kind < 0.3) return text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
  if (kind < 0.8) return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)] + text.slice(at);
  return text.slice(0, at) + String.fromCharCode(32 + Math.floor(next() * 95)) + text.slice(at + 1);
}

const tricky: SignatureRecord[] = [
  {
    name: 'Back\\slash & "quotes" <b>bold</b> \'single\'',
    country: 'KR',
    login: 'tricky-1',
    user_id: 777001,
    issue: 9001,
    signed_at: '2026-11-23T19:00:00Z',
    letter_sha256: 'b'.repeat(64),
    reason: `${'Леопард '.repeat(20)}🐆 & <i>more</i>\nsecond line`,
  },
  {
    name: '王小明',
    country: 'CN',
    login: 'a-b-c',
    user_id: 1,
    issue: 1,
    signed_at: '2026-01-01T00:00:00.123Z',
    letter_sha256: '',
    reason: '',
  },
];

describe('the fast path through a signature file', () => {
  it('gives what the YAML library gives on canonical files and on every one-edit mangling of them', () => {
    const next = random(22);
    const records = [...generateSampleRecords(60, { seed: 3 }), ...tricky];
    let fastAccepted = 0;
    let mangledAccepted = 0;
    for (const record of records) {
      const file = signatureRelativePath(record.user_id);
      const text = renderSignatureFile(record);
      expect(parseSignatureFile(text, file)).toEqual(parseSignatureFile(text, file, false));
      if (parseSignatureFile(text, file).ok) fastAccepted += 1;
      for (let edit = 0; edit < 30; edit += 1) {
        let mangled = mangle(text, next);
        if (next() < 0.3) mangled = mangle(mangled, next);
        const fast = parseSignatureFile(mangled, file);
        expect(fast, JSON.stringify(mangled)).toEqual(parseSignatureFile(mangled, file, false));
        if (fast.ok) mangledAccepted += 1;
      }
    }
    // The comparison covered accepted files, not only refused ones.
    expect(fastAccepted).toBeGreaterThan(records.length * 0.9);
    expect(mangledAccepted).toBeGreaterThan(40);
  });

  it('gives what the YAML library gives on the hostile fixture files', async () => {
    const folder = path.join(projectRoot, 'test/fixtures/signatures/hostile');
    const files = (await readdir(folder, { recursive: true })).filter((file) => file.endsWith('.md'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(path.join(folder, file), 'utf8');
      const relative = file.split(path.sep).join('/');
      expect(parseSignatureFile(text, relative), relative).toEqual(parseSignatureFile(text, relative, false));
    }
  });

  it('names a user id for exactly the paths where signatureRelativePath puts that id', () => {
    const reference = (relativePath: string) => {
      const match = /^(\d{2})\/(\d{2})\/([1-9]\d{0,15})\.md$/.exec(relativePath.replace(/\\/g, '/'));
      if (!match) return undefined;
      const id = Number(match[3]);
      return Number.isSafeInteger(id) && signatureRelativePath(id) === match[0] ? id : undefined;
    };
    const next = random(7);
    const paths: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const id = Math.floor(next() * 10 ** Math.floor(1 + next() * 15)) + 1;
      const right = signatureRelativePath(id);
      paths.push(right, right.replace(/\//g, '\\'), `0${right}`, right.replace('.md', '.MD'));
      const [a, b] = right.split('/');
      paths.push(`${b}/${a}/${id}.md`, `${a}/${b}/${id + 1}.md`, `${a}/${b}/0${id}.md`);
    }
    paths.push('00/00/10000.md', '99/99/9999.md', '00/00/9007199254740993.md', '1/1/1.md', '01/00/1.md', '');
    for (const candidate of paths) expect(userIdFromRelativePath(candidate), candidate).toBe(reference(candidate));
  });
});
