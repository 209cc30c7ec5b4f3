/**
 * Fixture petitions: the files a campaigner edits (test/fixtures/petitions/<name>/content/…), laid
 * over a copy of this project's engine (its templates, layouts, scripts), so that behaviour tests
 * check the rules against a petition of their own and a campaigner's edit of content/ cannot turn
 * them red.
 *
 * - amur-leopard: the shipped petition as it was when the fixtures were made (en, ru, zh).
 * - riverside-library: another campaign made from the template as the campaigners' guide says
 *   (en and es, an institution without a personal name as recipient, another goal and path).
 */
import { cp, mkdtemp, readdir, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { derive } from '../../scripts/commands/derive.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The fixture petitions of test/fixtures/petitions/. */
export type FixturePetition = 'amur-leopard' | 'riverside-library';

/** Where a fixture's campaigner files live: its `content/` folder is laid over the project's. */
export function fixturePetitionDir(name: FixturePetition): string {
  return path.join(projectRoot, 'test/fixtures/petitions', name);
}

/**
 * What in content/ belongs to the petition rather than to the engine: what a campaigner replaces.
 * Every other file of content/ (templates, layouts, styles, scripts) is the engine's.
 * Top-level entries, plus every folder named after a language file (content/<code>/).
 */
const PETITION_ENTRIES = [
  'settings.json',
  'i18n',
  'index.md',
  'letter.md',
  'how-it-works.md',
  'letter-versions',
  'moderation',
  'deliveries',
  'samples.yml',
  'assets/images',
];

/** The petition's own files in a content/ folder (dated update posts and language folders included). */
export async function petitionEntries(content: string): Promise<string[]> {
  const entries: string[] = [];
  for (const entry of PETITION_ENTRIES) if (await exists(path.join(content, entry))) entries.push(entry);
  for (const file of await readdir(path.join(content, 'updates')).catch(() => [] as string[]))
    if (file.endsWith('.md')) entries.push(`updates/${file}`);
  const languages = (await readdir(path.join(content, 'i18n')).catch(() => [] as string[])).map(
    (file) => path.parse(file).name,
  );
  for (const entry of await readdir(content)) if (languages.includes(entry)) entries.push(entry);
  // A language folder whose language file was removed still belongs to the old petition.
  for (const entry of await readdir(content))
    if (/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/.test(entry) && !entries.includes(entry)) entries.push(entry);
  return entries;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Makes a fresh project in a temporary folder: this project's engine, with the fixture's petition
 * in content/ and the issue forms and issue chooser that petition implies. node_modules is shared
 * (a link). The caller may change it freely.
 */
export async function copyPetitionProject(name: FixturePetition, prefix = `petition-${name}-`): Promise<string> {
  const copy = await mkdtemp(path.join(os.tmpdir(), prefix));
  await layPetition(copy, name);
  return copy;
}

async function layPetition(copy: string, name: FixturePetition): Promise<void> {
  for (const entry of [
    '.eleventy.ts',
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'scripts',
    'content',
    '.github',
  ])
    await cp(path.join(projectRoot, entry), path.join(copy, entry), { recursive: true });
  await symlink(path.join(projectRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  const content = path.join(copy, 'content');
  for (const entry of await petitionEntries(content)) await rm(path.join(content, entry), { recursive: true });
  await cp(path.join(fixturePetitionDir(name), 'content'), content, { recursive: true });
  await writeDerivedFiles(copy);
}

/** Writes what derives from a project's content, as `npm run derive` does. */
export async function writeDerivedFiles(root: string): Promise<void> {
  await derive(root);
}

const shared = new Map<FixturePetition, Promise<string>>();
const FIXTURES: readonly FixturePetition[] = ['amur-leopard', 'riverside-library'];

/** Where {@link petitionProject} makes a fixture's shared project in this run. */
function sharedProjectPath(name: FixturePetition): string {
  return path.join(os.tmpdir(), `petition-fixture-${name}`);
}

/** The fixture whose shared project (never changed within a run) `root` is; undefined for any other folder. */
export function sharedFixtureName(root: string): FixturePetition | undefined {
  return FIXTURES.find((name) => path.resolve(root) === sharedProjectPath(name));
}

/**
 * The fixture's project, made once per test run and shared by every test file (read it, build it,
 * never change it: use {@link copyPetitionProject} for that). Made in a private folder and renamed
 * into place, so two test files asking at once never see half of it.
 */
export function petitionProject(name: FixturePetition): Promise<string> {
  let made = shared.get(name);
  if (!made) {
    made = (async () => {
      const target = sharedProjectPath(name);
      if (await exists(path.join(target, 'content/settings.json'))) return target;
      const copy = await copyPetitionProject(name, `petition-fixture-${name}-making-`);
      await rename(copy, target).catch(async (error: NodeJS.ErrnoException) => {
        // Another test file made it first: use theirs.
        if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
        await rm(copy, { recursive: true, force: true });
      });
      return target;
    })();
    shared.set(name, made);
  }
  return made;
}

/** A fixture's content/settings.json, as written. */
export async function fixtureSettings(name: FixturePetition): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path.join(fixturePetitionDir(name), 'content/settings.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}
