/**
 * The archive of every version of the letter anyone may have signed: content/letter-versions/<language>/<sha256>.md,
 * each file a byte-for-byte copy of a letter file (content/letter.md or content/<language>/letter.md)
 * named after its digest, the `letter_sha256` a signature records. The site publishes each at
 * /letter/versions/<sha256>/ so that a reader can look up the text behind any signature.
 * Eleventy ignores the folder as templates (a copy's front matter would claim /letter/ again).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import matter from 'gray-matter';
import { recipientLine } from '../core/letter.ts';
import { letterDigest } from '../core/tally.ts';

/** What is needed of markdown-it: the site's own instance renders the archived letters. */
interface Markdown {
  render(text: string): string;
  utils: { escapeHtml(text: string): string };
}

export interface LetterVersion {
  sha256: string;
  /** The language the version is written in (its folder's name). */
  language: string;
  /** The letter as signers read it, rendered: recipients, body, demands, closing. */
  html: string;
  /** When the version was written, from its front matter, if it says. */
  written?: string;
}

/**
 * Reads every archived version. A file whose name is not its text's digest stops the build:
 * the archive exists so that digests can be trusted.
 */
export async function readLetterVersions(folder: string, markdown: Markdown): Promise<LetterVersion[]> {
  const languages = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const versions: LetterVersion[] = [];
  for (const entry of languages) {
    if (!entry.isDirectory()) continue;
    for (const file of (await readdir(path.join(folder, entry.name))).filter((name) => name.endsWith('.md')).sort()) {
      const text = await readFile(path.join(folder, entry.name, file), 'utf8');
      const sha256 = letterDigest(text);
      if (file !== `${sha256}.md`)
        throw new Error(
          `content/letter-versions/${entry.name}/${file} is not named after its text's SHA-256 (${sha256}.md): an archived letter is never edited.`,
        );
      versions.push({ sha256, language: entry.name, ...renderVersion(text, markdown) });
    }
  }
  return versions;
}

function renderVersion(text: string, markdown: Markdown): { html: string; written?: string } {
  const { data, content } = matter(text, {});
  const list = (items: unknown, tag: string, item: (value: Record<string, unknown> | string) => string) =>
    Array.isArray(items) && items.length
      ? `<${tag}>${items.map((value) => `<li>${markdown.utils.escapeHtml(item(value))}</li>`).join('')}</${tag}>`
      : '';
  const recipients = list(data.recipients, 'ul', (r) => recipientLine(r));
  const demands = list(data.demands, 'ol', (d) => String(d));
  return {
    html: `${recipients}${markdown.render(content)}${demands}${markdown.render(String(data.closing ?? ''))}`,
    ...(typeof data.written === 'string' ? { written: data.written } : {}),
  };
}
