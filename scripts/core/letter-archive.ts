/**
 * The letter's digest and the archive of every version anyone may have signed, in one place:
 * content/letter-versions/<language>/<sha256>.md, each a byte-for-byte copy of a letter file
 * named after its digest, the `letter_sha256` a signature records.
 *
 * The digest is SHA-256 of the file exactly as committed to git, so `sha256sum <file>` in a
 * clone prints it. Before this module the digest was taken after trimming the text (the final
 * newline went), which no ordinary tool reproduces; those old digests still appear in signature
 * files written before, so every archived version also answers to its old digest (an alias) and
 * {@link migrateSignatureFileText} rewrites a file to the new one. Pure: callers read the files.
 */
import { createHash } from 'node:crypto';

/** Where the archive lives in the repository. */
export const LETTER_ARCHIVE_FOLDER = 'content/letter-versions';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * SHA-256 of a letter file as committed: its UTF-8 bytes, every CRLF read as LF. Git stores the
 * letter files with LF (.gitattributes says `text eol=lf`, which also makes every checkout LF),
 * so on a checkout the digest is what `sha256sum content/letter.md` prints, and on any checkout
 * what `git show HEAD:content/letter.md | sha256sum` prints. Nothing is trimmed.
 */
export function letterDigest(text: string): string {
  const committed = text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text;
  return createHash('sha256').update(committed, 'utf8').digest('hex');
}

/**
 * The digest as it was computed before: line ends normalised and the text trimmed. Only to
 * recognise signature files and archive names written then; never published for a new letter.
 */
export function legacyLetterDigest(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n?/g, '\n').trim(), 'utf8').digest('hex');
}

/** The archive copy's path in the repository for a version. */
export function archivedLetterPath(language: string, sha256: string): string {
  return `${LETTER_ARCHIVE_FOLDER}/${language}/${sha256}.md`;
}

/** One file found in the archive, as the caller read it. */
export interface ArchiveFile {
  /** The language folder's name. */
  language: string;
  /** The file's name, "<sha256>.md". */
  name: string;
  text: string;
}

/** One archived version of the letter. */
export interface ArchivedLetter {
  language: string;
  /** {@link letterDigest} of the text: the digest published for it. */
  sha256: string;
  /** {@link legacyLetterDigest} of the text, when it differs: signatures from before may carry it. */
  legacySha256?: string;
  /** Where the copy is in the repository, under its new name. */
  file: string;
  text: string;
}

/** A file to rename: archived under its old digest. */
export interface ArchiveRename {
  from: string;
  to: string;
}

export interface LetterArchive {
  /** Every version, by language then digest. */
  versions: ArchivedLetter[];
  /** Old digest → new digest, for every archived version whose two differ. */
  aliases: Map<string, string>;
  /** Files still named after their old digest: `npm run migrate-letter-digests` renames them. */
  renames: ArchiveRename[];
  /** Files that are named after neither digest of their text (an archived letter was edited). */
  problems: string[];
}

/**
 * Reads the archive's files: each must be named after its text's digest, or (archives written
 * before) its old digest, which still resolves and is listed in `renames`. Two copies of one
 * version count once.
 */
export function readLetterArchive(files: readonly ArchiveFile[]): LetterArchive {
  const byDigest = new Map<string, ArchivedLetter>();
  const aliases = new Map<string, string>();
  const renames: ArchiveRename[] = [];
  const problems: string[] = [];
  for (const { language, name, text } of files) {
    const sha256 = letterDigest(text);
    const legacy = legacyLetterDigest(text);
    const file = `${LETTER_ARCHIVE_FOLDER}/${language}/${name}`;
    if (name !== `${sha256}.md` && name !== `${legacy}.md`) {
      problems.push(
        `${file} is not named after its text's SHA-256 (${sha256}.md): an archived letter is never edited.`,
      );
      continue;
    }
    if (name !== `${sha256}.md`) renames.push({ from: file, to: archivedLetterPath(language, sha256) });
    if (legacy !== sha256) aliases.set(legacy, sha256);
    if (!byDigest.has(sha256))
      byDigest.set(sha256, {
        language,
        sha256,
        ...(legacy !== sha256 ? { legacySha256: legacy } : {}),
        file: archivedLetterPath(language, sha256),
        text,
      });
  }
  const versions = [...byDigest.values()].sort((a, b) =>
    a.language !== b.language ? (a.language < b.language ? -1 : 1) : a.sha256 < b.sha256 ? -1 : 1,
  );
  return { versions, aliases, renames, problems };
}

/** The digest a signature's `letter_sha256` stands for today: its new digest if it is an old one. */
export function resolveLetterDigest(aliases: ReadonlyMap<string, string>, digest: string): string {
  return aliases.get(digest) ?? digest;
}

const LETTER_LINE = /^letter_sha256: "([0-9a-f]{64})"$/m;

/**
 * A signature file (GitHub or offline) with its `letter_sha256` moved from an old digest to the
 * new one, or undefined when it needs no change. Only the one line the processor writes is
 * touched, inside the front matter, so every other byte stays as it was; line ends are kept.
 */
export function migrateSignatureFileText(text: string, aliases: ReadonlyMap<string, string>): string | undefined {
  const end = text.indexOf('\n---', 4);
  if (!text.startsWith('---') || end < 0) return undefined;
  const frontMatter = text.slice(0, end);
  const match = LETTER_LINE.exec(frontMatter.replace(/\r$/gm, ''));
  if (!match) return undefined;
  const next = aliases.get(match[1]!);
  if (!next || !SHA256.test(next)) return undefined;
  return frontMatter.replace(`letter_sha256: "${match[1]}"`, `letter_sha256: "${next}"`) + text.slice(end);
}
