import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBlockedAccounts } from '../../scripts/core/moderation.ts';
import { signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { ARTIFACT_DELETION, moderate } from '../../scripts/commands/moderate.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { projectRoot } from '../helpers/site.ts';
import { makeCheckout, REPOSITORY, signBody } from './harness.ts';

const run = promisify(execFile);
// The checkout has no node_modules: load tsx from the project's.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const temporary: string[] = [];
let fake: FakeGitHub | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'petition-moderation-'));
  temporary.push(dir);
  return dir;
};
const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

describe('npm run moderate', () => {
  it('tells the maintainer to delete the Actions caches, which hold copies of signature files, after an erasure', async () => {
    const root = await tempDir();
    const file = path.join(root, 'signatures', signatureRelativePath(4242));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '---\nname: "Erased"\n---\n');
    const lines = await moderate(['remove', '4242', '--reason', 'erasure request'], root, new Date());
    expect(await exists(file)).toBe(false);
    expect(lines).toContain('  gh cache delete --all');
    expect(lines.join('\n')).toMatch(/erasure request: once the history is rewritten/);
    // And the records artifacts of the builds before the removal.
    expect(lines).toContain(`  ${ARTIFACT_DELETION}`);
    expect(ARTIFACT_DELETION).toMatch(/actions\/artifacts\?name=petition-records/);
  });

  it('blocks an account and removes its signature in one change, and prints the commit message with the reason', async () => {
    const root = await tempDir();
    const file = path.join(root, 'signatures', signatureRelativePath(9999));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '---\nname: "Mallory"\n---\n');
    await mkdir(path.join(root, 'content/moderation'), { recursive: true });
    await writeFile(
      path.join(root, 'content/moderation/blocked-accounts.yml'),
      await readFile(path.join(projectRoot, 'content/moderation/blocked-accounts.yml'), 'utf8'),
    );

    const lines = await moderate(
      ['block', '9999', '--login', 'mallory', '--reason', 'Signed 40 times with invented names (#12).'],
      root,
      new Date('2026-11-25T10:00:00Z'),
    );
    expect(await exists(file)).toBe(false);
    const list = await readFile(path.join(root, 'content/moderation/blocked-accounts.yml'), 'utf8');
    expect(list).toContain('# Accounts blocked from signing');
    expect(parseBlockedAccounts(list).get(9999)).toEqual({
      user_id: 9999,
      login: 'mallory',
      reason: 'Signed 40 times with invented names (#12).',
      date: '2026-11-25',
    });
    expect(lines.join('\n')).toContain('Block user 9999 and remove their signature');
    expect(lines.join('\n')).toContain('Reason: Signed 40 times with invented names (#12).');
    await expect(moderate(['block', '9999', '--reason', 'again'], root, new Date())).rejects.toThrow('already blocked');
  });

  it('refuses to act without a numeric user id and a public reason, saying how to call it', async () => {
    const root = await tempDir();
    await expect(moderate(['block', 'mallory', '--reason', 'x'], root, new Date())).rejects.toThrow(
      'not a numeric GitHub user id',
    );
    await expect(moderate(['remove', '9999'], root, new Date())).rejects.toThrow('--reason');
    await expect(moderate(['ban', '9999'], root, new Date())).rejects.toThrow('Usage:');
  });
});

describe('the processor as GitHub Actions runs it', () => {
  it('prints nothing a signer wrote and no workflow command but its own pause, and writes the outputs and the ledger', async () => {
    const hostile = '::error file=x::pwned';
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          body: signBody({ name: 'Anna', country: 'RU', reason: `Hi\n${hostile}` }),
          labels: ['signature'],
          user: { login: 'anna', id: 11 },
        },
        {
          body: signBody({ name: `Bad\n${hostile}`, country: hostile }),
          labels: ['signature'],
          user: { login: 'bad', id: 12 },
        },
      ],
    });
    const checkout = await makeCheckout(fake);
    temporary.push(checkout);
    const outputs = path.join(checkout, 'outputs.txt');
    const summaryFile = path.join(checkout, 'summary.md');
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', tsxLoader, path.join(projectRoot, 'scripts/commands/process-signatures.ts')],
      {
        cwd: checkout,
        env: {
          PATH: process.env.PATH,
          GITHUB_ACTIONS: 'true',
          GITHUB_TOKEN: 'test-token',
          GITHUB_REPOSITORY: REPOSITORY,
          GITHUB_API_URL: fake.baseUrl,
          GITHUB_OUTPUT: outputs,
          GITHUB_STEP_SUMMARY: summaryFile,
          PETITION_BRANCH: 'main',
          PETITION_LEDGER: path.join(checkout, '.petition-ledger/answered.json'),
        },
        timeout: 60_000,
      },
    );
    const printed = `${stdout}\n${stderr}`;
    const commands = printed.split('\n').filter((line) => line.startsWith('::'));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/^::stop-commands::[0-9a-f]{32}$/);
    expect(commands[1]).toBe(`::${commands[0]!.slice('::stop-commands::'.length)}::`);
    expect(printed).not.toContain('pwned');
    expect(printed).toContain('#2 rejected');
    expect(await readFile(outputs, 'utf8')).toMatch(/publish=true\ncommitted=true\n/);
    expect(await readFile(summaryFile, 'utf8')).not.toMatch(/^::/m);
    const ledger = JSON.parse(await readFile(path.join(checkout, '.petition-ledger/answered.json'), 'utf8'));
    expect(Object.keys(ledger.answered)).toEqual(['2']);
  });
});
