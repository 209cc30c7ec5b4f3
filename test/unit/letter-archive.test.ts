/** Letter digests: of the file as committed, reproducible with sha256sum; old digests keep resolving. */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  legacyLetterDigest,
  letterDigest,
  migrateSignatureFileText,
  readLetterArchive,
  resolveLetterDigest,
} from '../../scripts/core/letter-archive.ts';
import { parseSignatureFile } from '../../scripts/core/signature-file.ts';
import { migrateLetterDigests } from '../../scripts/commands/migrate-letter-digests.ts';
import { loadLetterArchive } from '../../scripts/store/letter-archive.ts';
import { projectRoot } from '../helpers/site.ts';

const fixture = path.join(projectRoot, 'test/fixtures/letter-archive/legacy');
const LEGACY = '469424b0e6ac492d63c08d187c18b68e5f5c83237ffbd6ade8e27b0c14aeb1a1';
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-letter-archive-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** What coreutils' sha256sum prints for a file: the reader's tool, not ours. */
function sha256sum(file: string): string {
  return execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]!;
}

describe('the letter digest', () => {
  it('is what sha256sum prints for the file, final newline and all', async () => {
    const file = path.join(fixture, `content/letter-versions/en/${LEGACY}.md`);
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(letterDigest(text)).toBe(sha256sum(file));
    expect(legacyLetterDigest(text)).toBe(LEGACY);
    expect(letterDigest(text)).not.toBe(LEGACY);
  });

  it('reads a CRLF checkout as the LF bytes git committed', async () => {
    const lf = await readFile(path.join(fixture, `content/letter-versions/en/${LEGACY}.md`), 'utf8');
    const copy = path.join(work, 'lf.md');
    await writeFile(copy, lf);
    expect(letterDigest(lf.replace(/\n/g, '\r\n'))).toBe(sha256sum(copy));
  });
});

describe('the letter archive', () => {
  it('names each version by its new digest and maps the old one to it', async () => {
    const archive = await loadLetterArchive(fixture);
    expect(archive.problems).toEqual([]);
    const [version] = archive.versions;
    expect(version).toMatchObject({ language: 'en', legacySha256: LEGACY });
    expect(version!.file).toBe(`content/letter-versions/en/${version!.sha256}.md`);
    expect(resolveLetterDigest(archive.aliases, LEGACY)).toBe(version!.sha256);
    expect(resolveLetterDigest(archive.aliases, 'f'.repeat(64))).toBe('f'.repeat(64));
    expect(archive.renames).toEqual([
      { from: `content/letter-versions/en/${LEGACY}.md`, to: `content/letter-versions/en/${version!.sha256}.md` },
    ]);
  });

  it('refuses a copy whose text no longer matches its name', () => {
    const archive = readLetterArchive([{ language: 'en', name: `${LEGACY}.md`, text: 'edited\n' }]);
    expect(archive.versions).toEqual([]);
    expect(archive.problems[0]).toContain('an archived letter is never edited');
  });

  it('rewrites only the letter_sha256 line of a signature file, keeping its line ends', () => {
    const aliases = new Map([[LEGACY, 'a'.repeat(64)]]);
    const crlf = `---\r\nname: "A"\r\nletter_sha256: "${LEGACY}"\r\n---\r\nletter_sha256: "${LEGACY}"\r\n`;
    expect(migrateSignatureFileText(crlf, aliases)).toBe(
      `---\r\nname: "A"\r\nletter_sha256: "${'a'.repeat(64)}"\r\n---\r\nletter_sha256: "${LEGACY}"\r\n`,
    );
    expect(migrateSignatureFileText(crlf, new Map())).toBeUndefined();
  });

  it('migrates a fork: renames the archive and rewrites signature files, which still read', async () => {
    const fork = path.join(work, 'fork');
    await cp(fixture, fork, { recursive: true });
    const dry = await migrateLetterDigests(['--dry-run'], { projectRoot: fork, env: {} });
    expect(dry.out.join('\n')).toContain('Would rewrite letter_sha256 in 1 of 1');
    expect((await loadLetterArchive(fork)).renames).toHaveLength(1);
    const result = await migrateLetterDigests([], { projectRoot: fork, env: {} });
    expect(result.code).toBe(0);
    const archive = await loadLetterArchive(fork);
    expect(archive.renames).toEqual([]);
    const newDigest = archive.versions[0]!.sha256;
    expect(sha256sum(path.join(fork, archive.versions[0]!.file))).toBe(newDigest);
    const text = await readFile(path.join(fork, 'signatures/67/45/1234567.md'), 'utf8');
    const parsed = parseSignatureFile(text, '67/45/1234567.md');
    expect(parsed.ok && parsed.record.letter_sha256).toBe(newDigest);
    const before = await readFile(path.join(fixture, 'signatures/67/45/1234567.md'), 'utf8');
    expect(text).toBe(before.replace(LEGACY, newDigest));
  });
});
