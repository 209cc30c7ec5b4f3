/**
 * A new campaigner's petition, made from this repository as docs/campaigners.md says: settings,
 * letter and home page replaced, one language added with `npm run add-language`, two removed,
 * `npm run derive`. The content checks that run on the live content/ pass on it, and it builds.
 */
import { cp, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addLanguage } from '../../scripts/commands/add-language.ts';
import { derive } from '../../scripts/commands/derive.ts';
import { contentProblems } from '../helpers/content-checks.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';
import { buildSite, projectRoot, type BuiltSite } from '../helpers/site.ts';

const riverside = path.join(fixturePetitionDir('riverside-library'), 'content');

/** A fork: this whole project as it is, content/ included, as GitHub's "Use this template" makes it. */
async function fork(): Promise<string> {
  const copy = await mkdtemp(path.join(os.tmpdir(), 'petition-fork-'));
  for (const entry of ['.eleventy.ts', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts', 'content', '.github'])
    await cp(path.join(projectRoot, entry), path.join(copy, entry), { recursive: true });
  await symlink(path.join(projectRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

/** The guide's steps, as a campaigner in the web editor would do them, on the fork at `root`. */
async function followTheGuide(root: string, languages: readonly string[]): Promise<void> {
  const content = path.join(root, 'content');
  // Step 1: the settings.
  await cp(path.join(riverside, 'settings.json'), path.join(content, 'settings.json'));
  // Step 2: the petition and the letter in the default language; no lead image.
  for (const file of ['index.md', 'letter.md']) await cp(path.join(riverside, file), path.join(content, file));
  await rm(path.join(content, 'updates/2026-11-24-what-has-happened-since.md'), { force: true });
  // Step 3: languages. Remove those the campaign does not use (the file and the folder) …
  const settings = JSON.parse(await readFile(path.join(content, 'settings.json'), 'utf8')) as { language: string };
  for (const file of await readdir(path.join(content, 'i18n'))) {
    const code = file.replace(/\.ya?ml$/, '');
    if (code === settings.language || languages.includes(code)) continue;
    await rm(path.join(content, 'i18n', file));
    await rm(path.join(content, code), { recursive: true, force: true });
    await rm(path.join(content, 'letter-versions', code), { recursive: true, force: true });
  }
  // … and add the new ones: npm run add-language -- es.
  // (A fork of a petition that already has one keeps it.)
  for (const code of languages) {
    const has = await stat(path.join(content, 'i18n', `${code}.yml`)).then(
      () => true,
      () => false,
    );
    if (!has) await addLanguage(root, code);
  }
  // Step 4: what derives from content (on GitHub, the "Derived files" workflow does this on push).
  await derive(root);
}

describe('a fork that follows the campaigners’ guide (a new petition, Spanish added, Russian and Chinese removed)', () => {
  let root: string;
  let site: BuiltSite;
  beforeAll(async () => {
    root = await fork();
    await followTheGuide(root, ['es']);
    site = await buildSite({ signaturesDir: path.join(projectRoot, 'test/fixtures/signatures/one'), root });
  });

  it('passes every check the live content/ must pass', async () => {
    expect(await contentProblems(root)).toEqual([]);
  });

  it('builds its own petition in English and Spanish, signing in Spanish through the Spanish form', async () => {
    const home = await site.dom('index.html');
    expect(home.querySelector('h1')?.textContent).toContain('Keep the Riverside Library open');
    const spanish = await site.dom('es/sign/index.html');
    expect(spanish.documentElement.getAttribute('lang')).toBe('es');
    expect(spanish.querySelector('input[name="template"]')?.getAttribute('value')).toBe('sign-es.yml');
    await expect(readFile(path.join(root, '.github/ISSUE_TEMPLATE/sign-es.yml'), 'utf8')).resolves.toContain(
      'labels:',
    );
    for (const gone of ['ru/', 'zh/']) await expect(site.read(`${gone}index.html`)).rejects.toThrow();
    const tally = JSON.parse(await site.read('data/tally.json')) as { goal: number };
    expect(tally.goal).toBe(5000);
  });

  it('catches the campaigner’s slip the guide warns about: a key deleted from the new language file', async () => {
    const broken = await fork();
    await followTheGuide(broken, ['es']);
    const file = path.join(broken, 'content/i18n/es.yml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/^ {4}name_hint: .*\n/m, ''));
    const problems = await contentProblems(broken);
    expect(problems.join('\n')).toContain('content/i18n/es.yml lacks form.sign.name_hint');
  });
});
