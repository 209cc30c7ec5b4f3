/**
 * Reads the letter archive (content/letter-versions/<language>/<sha256>.md) from a checkout; what
 * the files mean is scripts/core/letter-archive.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  LETTER_ARCHIVE_FOLDER,
  readLetterArchive,
  type ArchiveFile,
  type LetterArchive,
} from '../core/letter-archive.ts';

/** Every `*.md` file of the archive under `projectRoot`, by language folder and name; none when there is no archive. */
export async function readArchiveFiles(projectRoot: string): Promise<ArchiveFile[]> {
  const folder = path.join(projectRoot, LETTER_ARCHIVE_FOLDER);
  const languages = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: ArchiveFile[] = [];
  for (const entry of languages.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1)))
    for (const name of (await readdir(path.join(folder, entry.name))).filter((n) => n.endsWith('.md')).sort())
      files.push({ language: entry.name, name, text: await readFile(path.join(folder, entry.name, name), 'utf8') });
  return files;
}

/** The archive of a checkout, read and checked (see readLetterArchive). */
export async function loadLetterArchive(projectRoot: string): Promise<LetterArchive> {
  return readLetterArchive(await readArchiveFiles(projectRoot));
}
