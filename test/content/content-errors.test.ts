/**
 * A campaigner's slip in the petition's own files is reported in one line that names the file and
 * what to do, by the build and by the processor: no Eleventy wrapper, no stack trace.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { eleventyArguments } from '../../scripts/tooling/eleventy-command.ts';
import { copyPetitionProject } from '../helpers/petitions.ts';
import { runTracked } from '../helpers/processes.ts';
import { projectRoot } from '../helpers/site.ts';
import { makeCheckout, runProcessor } from '../processor/harness.ts';

let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function build(root: string) {
  const result = await runTracked(process.execPath, eleventyArguments({ output: path.join(root, '_site') }), {
    cwd: root,
    env: {
      ...process.env,
      SIGNATURES_DIR: path.join(projectRoot, 'test/fixtures/signatures/none'),
      GITHUB_ACTIONS: '',
      PETITION_DERIVED_CHECK: '',
    },
  });
  return { code: result.code, stderr: result.stderr.trim() };
}

async function dropLine(file: string, pattern: RegExp): Promise<void> {
  await writeFile(file, (await readFile(file, 'utf8')).replace(pattern, ''));
}

describe('a slip in the petition’s files', () => {
  it('stops the build with one line naming the language file and the key it lacks', async () => {
    const root = await copyPetitionProject('amur-leopard');
    await dropLine(path.join(root, 'content/i18n/ru.yml'), /^ {4}name_hint: .*\n/m);
    const { code, stderr } = await build(root);
    expect(code).toBe(1);
    expect(stderr).toBe(
      '[petition] content/i18n/ru.yml lacks form.sign.name_hint (copy from content/i18n/en.yml and translate).',
    );
  });

  it('stops the build with one line when a language was removed but its issue forms were not', async () => {
    const root = await copyPetitionProject('amur-leopard');
    for (const gone of ['content/zh', 'content/i18n/zh.yml']) await rm(path.join(root, gone), { recursive: true });
    const { code, stderr } = await build(root);
    expect(code).toBe(1);
    expect(stderr.split('\n')).toHaveLength(1);
    expect(stderr).toContain('.github/ISSUE_TEMPLATE/sign-zh.yml (to remove)');
    expect(stderr).toContain('Run `npm run derive`');
  });

  it('stops the processor with a message naming the file and the key', async () => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition' });
    const checkout = await makeCheckout(fake);
    await dropLine(path.join(checkout, 'content/i18n/zh.yml'), /^ {4}signed: .*\n/m);
    await expect(runProcessor(fake, checkout)).rejects.toThrow(
      /^content\/i18n\/zh\.yml lacks bot\.receipt\.signed \(copy from content\/i18n\/en\.yml and translate\)\.$/,
    );
  });
});
