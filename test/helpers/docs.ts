/**
 * Reading the README and the guides in docs/ as Markdown (markdown-it, so fenced code and tables
 * are understood as GitHub understands them): their headings, the anchors GitHub makes of them,
 * their links and their backticked repository paths, and what in them does not resolve.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt, { type Token } from 'markdown-it';

export interface MarkdownFile {
  /** The path from the root folder, with forward slashes: `README.md`, `docs/maintainers.md`. */
  file: string;
  text: string;
  /** Each heading's source text (`What \`npm ci\` installs`), in order. */
  headings: string[];
  /** The anchors GitHub gives those headings, in order. */
  anchors: Set<string>;
  /** Every link target, as written. */
  links: string[];
  /** Every inline code span's content. */
  codeSpans: string[];
}

const markdown = new MarkdownIt();

/** The text GitHub renders for a heading: code spans keep their content, markup goes. */
function renderedText(inline: Token): string {
  return (inline.children ?? [])
    .filter((child) => child.type === 'text' || child.type === 'code_inline')
    .map((child) => child.content)
    .join('');
}

/**
 * The anchor GitHub makes of a heading, as github-slugger does: lower case, every character that
 * is not a letter, mark, number, connector, space or hyphen dropped, spaces made hyphens; a
 * repeated anchor gets `-1`, `-2`, ….
 */
export function githubSlug(text: string, taken: Map<string, number>): string {
  const base = text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
  const seen = taken.get(base);
  taken.set(base, (seen ?? -1) + 1);
  return seen === undefined ? base : `${base}-${seen + 1}`;
}

/** Parses one Markdown file under `root`. */
export function readMarkdown(root: string, file: string): MarkdownFile {
  const text = readFileSync(path.join(root, file), 'utf8');
  const tokens = markdown.parse(text, {});
  const headings: string[] = [];
  const anchors = new Set<string>();
  const taken = new Map<string, number>();
  const links: string[] = [];
  const codeSpans: string[] = [];
  tokens.forEach((token, index) => {
    if (token.type === 'heading_open') {
      const inline = tokens[index + 1]!;
      headings.push(inline.content);
      anchors.add(githubSlug(renderedText(inline), taken));
    }
    for (const child of token.children ?? []) {
      if (child.type === 'link_open') links.push(String(child.attrGet('href') ?? ''));
      if (child.type === 'code_inline') codeSpans.push(child.content);
    }
  });
  return { file, text, headings, anchors, links, codeSpans };
}

/** README.md and every docs/*.md under `root` (docs/_incoming/ holds drafts, not guides). */
export function readGuides(root: string): MarkdownFile[] {
  const docs = existsSync(path.join(root, 'docs'))
    ? readdirSync(path.join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...docs].map((file) => readMarkdown(root, file));
}

/** Every relative link or #anchor that names no file, or no heading of the file it names. */
export function brokenLinks(root: string, files: MarkdownFile[]): string[] {
  const byFile = new Map(files.map((file) => [file.file, file]));
  const broken: string[] = [];
  for (const file of files) {
    for (const link of file.links) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto:: not ours to check
      const [target = '', anchor] = link.split('#', 2);
      const resolved = target
        ? path.posix.normalize(path.posix.join(path.posix.dirname(file.file), target))
        : file.file;
      if (!existsSync(path.join(root, resolved))) {
        broken.push(`${file.file}: ${link} (no file ${resolved})`);
        continue;
      }
      if (anchor === undefined) continue;
      const linked = byFile.get(resolved) ?? (resolved.endsWith('.md') ? readMarkdown(root, resolved) : undefined);
      if (!linked?.anchors.has(decodeURIComponent(anchor)))
        broken.push(`${file.file}: ${link} (no heading with the anchor #${anchor} in ${resolved})`);
    }
  }
  return broken;
}

/** The folders whose paths a guide names in backticks and that must then exist. */
const REPOSITORY_ROOTS = /^(scripts|content|test|signatures|docs|\.github|\.ci)\/\S*$/;

/**
 * Every backticked repository path (`scripts/core/decide.ts`) that does not exist. A path with a
 * placeholder (`content/<language>/letter.md`, `content/i18n/*.yml`) must exist up to the segment
 * before its first placeholder; a path in or under one of
 * `examples` is one that a guide tells its reader to create, or that a command creates.
 */
export function missingPaths(root: string, files: MarkdownFile[], examples: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  for (const file of files) {
    for (const span of file.codeSpans) {
      if (!REPOSITORY_ROOTS.test(span)) continue;
      const segments = span.split('/');
      const firstPlaceholder = segments.findIndex((segment) => /[<>*]/.test(segment));
      const checked = (firstPlaceholder === -1 ? segments : segments.slice(0, firstPlaceholder)).join('/');
      const example = [...examples].some((prefix) => `${checked}/`.startsWith(`${prefix.replace(/\/$/, '')}/`));
      if (example) continue;
      if (!existsSync(path.join(root, checked))) missing.push(`${file.file}: \`${span}\``);
    }
  }
  return missing;
}
