/**
 * The live petition in content/, whatever it is: checked against its own settings and language
 * files, so a campaigner's edit that follows the guide keeps these green and a mistake (a key
 * missing from a language file, a form not regenerated, a letter not archived) turns them red.
 */
import { describe, expect, it } from 'vitest';
import { contentProblems } from '../helpers/content-checks.ts';
import { projectRoot } from '../helpers/site.ts';

describe('the petition in content/', () => {
  it('has settings, language files with the same keys, a letter per language and up-to-date derived files', async () => {
    expect(await contentProblems(projectRoot)).toEqual([]);
  });
});
