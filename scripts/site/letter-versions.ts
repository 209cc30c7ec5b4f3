/**
 * The letter archive on the site: each version of content/letter-versions/ (its rules are in
 * scripts/core/letter-archive.ts) published at /letter/versions/<sha256>/ so that a reader can look
 * up the text behind any signature, and each old digest (from before digests were of the file as
 * committed) at /letter/versions/<old digest>/, a page that sends the reader on to the version.
 * Eleventy ignores the folder as templates (a copy's front matter would claim /letter/ again).
 */
import matter from 'gray-matter';
import { legacyLetterDigest, readLetterArchive } from '../core/letter-archive.ts';
import { readArchiveFiles } from '../store/letter-archive.ts';
import { recipientLine } from '../core/letter.ts';

/** What is needed of markdown-it: the site's own instance renders the archived letters. */
interface Markdown {
  render(text: string): string;
  utils: { escapeHtml(text: string): string };
}

export interface LetterVersion {
  sha256: string;
  /** The language the version is written in (its folder's name). */
  language: string;
  /** The copy's path in the repository: `sha256sum <file>` prints the digest. */
  file: string;
  /** The digest this version had before digests were of the file as committed, if different. */
  legacySha256?: string;
  /**
   * Whether the former digest is the file's bytes without their final line breaks, which
   * `printf %s "$(cat <file>)" | sha256sum` hashes (true unless the file has other space at either end).
   */
  legacyByShell?: boolean;
  /** The letter as signers read it, rendered: recipients, body, demands, closing. */
  html: string;
  /** When the version was written, from its front matter, if it says. */
  written?: string;
}

/** An old digest and the version it stands for: its page sends the reader on. */
export interface LetterVersionAlias {
  from: string;
  to: string;
  language: string;
  /** The archived file, for the command that reproduces the former digest. */
  file: string;
  /** See {@link LetterVersion.legacyByShell}. */
  byShell: boolean;
}

/**
 * Reads every archived version. A file named after neither digest of its text stops the build:
 * the archive exists so that digests can be trusted.
 */
export async function readLetterVersions(
  projectRoot: string,
  markdown: Markdown,
  recipientIn: RecipientLine = (_language, recipient) => recipientLine(recipient),
): Promise<LetterVersion[]> {
  const archive = readLetterArchive(await readArchiveFiles(projectRoot));
  if (archive.problems.length > 0) throw new Error(archive.problems.join('\n'));
  return archive.versions.map((version) => ({
    sha256: version.sha256,
    language: version.language,
    file: version.file,
    ...(version.legacySha256
      ? {
          legacySha256: version.legacySha256,
          legacyByShell:
            legacyLetterDigest(version.text.replace(/\n+$/, '')) === version.legacySha256 &&
            !/^\s|[^\S\n]\n*$|\r/.test(version.text),
        }
      : {}),
    ...renderVersion(version.text, markdown, (recipient) => recipientIn(version.language, recipient)),
  }));
}

/** The old digests of the archived versions, each with the version it now has. */
export function letterVersionAliases(versions: readonly LetterVersion[]): LetterVersionAlias[] {
  return versions
    .filter((version) => version.legacySha256)
    .map((version) => ({
      from: version.legacySha256!,
      to: version.sha256,
      language: version.language,
      file: version.file,
      byShell: version.legacyByShell === true,
    }));
}

/**
 * A recipient's line as the version's language writes it ("总理温家宝", "Premier, Wen Jiabao"):
 * the site's `letter.recipient` message of that language (load-site-data.ts), else "office, name".
 */
export type RecipientLine = (language: string, recipient: Record<string, unknown> | string) => string;

function renderVersion(
  text: string,
  markdown: Markdown,
  recipientIn: (recipient: Record<string, unknown> | string) => string,
): { html: string; written?: string } {
  const { data, content } = matter(text, {});
  const list = (items: unknown, tag: string, item: (value: Record<string, unknown> | string) => string) =>
    Array.isArray(items) && items.length
      ? `<${tag}>${items.map((value) => `<li>${markdown.utils.escapeHtml(item(value))}</li>`).join('')}</${tag}>`
      : '';
  const recipients = list(data.recipients, 'ul', recipientIn);
  const demands = list(data.demands, 'ol', (d) => String(d));
  return {
    html: `${recipients}${markdown.render(content)}${demands}${markdown.render(String(data.closing ?? ''))}`,
    ...(typeof data.written === 'string' ? { written: data.written } : {}),
  };
}
