/**
 * The checks of a petition's content that hold for any petition: run on the live content/
 * (test/content/live-content.test.ts) and on a fork made by following the campaigners' guide
 * (test/content/campaigner-steps.test.ts). Every expectation comes from the petition's own
 * settings and language files, never from the wording of the shipped petition.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseLetterVersion } from '../../scripts/core/letter.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { derivedChanges, letterFileOf } from '../../scripts/store/derived.ts';

/** Every problem found in the petition at `root`, one sentence each; none when it is sound. */
export async function contentProblems(root: string): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, check: () => Promise<void>) => {
    try {
      await check();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  };
  let settings: ReturnType<typeof resolveSettings> | undefined;
  await attempt('content/settings.json', async () => {
    settings = resolveSettings(JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')));
  });
  if (!settings) return problems;
  const { language: defaultLanguage } = settings;
  let languages: string[] = [];
  await attempt('the language files', async () => {
    languages = (await readCatalogs(root, defaultLanguage)).map((catalog) => catalog.language);
  });
  for (const language of languages) {
    const letterFile = letterFileOf(language, defaultLanguage);
    await attempt(letterFile, async () => {
      parseLetterVersion(await readFile(path.join(root, letterFile), 'utf8'), letterFile, defaultLanguage);
    });
    if (language === defaultLanguage) continue;
    for (const page of ['index.md', 'how-it-works.md', `${language}.11tydata.json`])
      await attempt(`content/${language}/${page}`, async () => {
        await stat(path.join(root, 'content', language, page));
      });
  }
  await attempt('the derived files', async () => {
    const changes = await derivedChanges(root);
    if (changes.length) throw new Error(`${changes.map((change) => change.file).join(', ')}: run npm run derive`);
  });
  if (settings.image)
    await attempt(`the lead image ${settings.image}`, async () => {
      await stat(path.join(root, 'content', settings!.image));
    });
  return problems;
}
