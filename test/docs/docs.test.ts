/**
 * The README is the door and docs/ the rooms: the README stays short, no section of the README as
 * it was before the split (December 2026) is lost, and every link, anchor and repository path the
 * guides name leads somewhere.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokenLinks, githubSlug, missingPaths, readGuides } from '../helpers/docs.ts';
import { projectRoot } from '../helpers/site.ts';

const MAX_README_LINES = 250;

/** Paths the guides tell a reader to create, or that a command creates; not in this copy. */
const EXAMPLES = new Set([
  'signatures/offline', // the first batch of paper or email signatures (npm run add-signatures)
  'content/i18n/es.yml', // adding a language: Spanish (npm run add-language -- es)
  'content/es',
  'content/letter-versions/es',
  'content/deliveries', // where a maintainer publishes a delivery's manifest
  'content/assets/images/amur-leopard.svg', // the shipped lead image, which the guide says a fork may delete
]);

const oldHeadings = async () =>
  (await readFile(path.join(projectRoot, 'test/fixtures/docs/readme-headings-2026-12.txt'), 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith('#'))
    .map((line) => ({ level: /^#+/.exec(line)![0].length, text: line.replace(/^#+\s+/, '') }));

describe('the README and the guides in docs/', () => {
  const guides = readGuides(projectRoot);
  const readme = guides.find((guide) => guide.file === 'README.md')!;

  it(`keep the README to at most ${MAX_README_LINES} lines`, () => {
    expect(readme.text.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('keep every section of the old README as a heading in the README or a guide', async () => {
    const headings = new Set(guides.flatMap((guide) => guide.headings));
    const lost = (await oldHeadings()).filter((old) => old.level > 1 && !headings.has(old.text));
    expect(lost).toEqual([]);
  });

  it("title the README with the project, not the shipped petition, which a fork's campaigner replaces", async () => {
    const [title] = (await oldHeadings()).filter((old) => old.level === 1);
    const project = title!.text.split(':')[0]!;
    expect(readme.text.split('\n')[0]).toBe(`# ${project}`);
  });

  it('tell a newcomer how to install, start and test in the README', () => {
    expect(readme.text).toMatch(/npm (install|ci)/);
    expect(readme.text).toContain('npm start');
    expect(readme.text).toContain('npm test');
  });

  it('name every npm script in the README, so a newcomer finds each command in one place', async () => {
    const { scripts } = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // `npm run format` is not named by `npm run format:check`: the name must end where the command does.
    const named = (name: string) =>
      readme.text
        .split(/[\s`|(]+npm (?:run )?/)
        .some((after) => after.startsWith(name) && !/^[\w:-]/.test(after.slice(name.length)));
    const unnamed = Object.keys(scripts).filter((name) => !named(name));
    expect(unnamed).toEqual([]);
  });

  it('link only to files and headings that exist', () => {
    expect(brokenLinks(projectRoot, guides)).toEqual([]);
  });

  it('name in backticks only repository paths that exist', () => {
    expect(missingPaths(projectRoot, guides, EXAMPLES)).toEqual([]);
  });
});

describe('the checks on the guides', () => {
  const root = path.join(projectRoot, 'test/fixtures/docs/broken');
  const guides = readGuides(root);

  it('report a link to a missing file and to a heading that is not there, in another file or the same', () => {
    expect(brokenLinks(root, guides)).toEqual([
      'README.md: docs/gone.md (no file docs/gone.md)',
      'README.md: docs/guide.md#no-such-section (no heading with the anchor #no-such-section in docs/guide.md)',
      'README.md: #nowhere (no heading with the anchor #nowhere in README.md)',
    ]);
  });

  it('report a path that moved, but not a placeholder path whose folder exists, nor a named example', () => {
    expect(missingPaths(root, guides, new Set(['content/ko/letter.md']))).toEqual(['README.md: `scripts/rules.txt`']);
  });

  it('make anchors as GitHub does: code spans keep their words, punctuation goes, repeats are numbered', () => {
    const taken = new Map<string, number>();
    expect(githubSlug('What npm test checks, and how long it takes', taken)).toBe(
      'what-npm-test-checks-and-how-long-it-takes',
    );
    expect(githubSlug("A fork's README", taken)).toBe('a-forks-readme');
    expect(githubSlug('Set up', taken)).toBe('set-up');
    expect(githubSlug('Set up', taken)).toBe('set-up-1');
    expect(guides.find((guide) => guide.file === 'docs/guide.md')!.anchors).toEqual(
      new Set(['guide', 'set-up-the-petition', 'what-npm-ci-installs', 'set-up-the-petition-1']),
    );
  });
});
