import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ISSUE_CHOOSER_CONFIG_PATH } from '../../scripts/core/issue-chooser.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { leopardProject, makeCheckout, runProcessor, signatureFiles, signBody } from './harness.ts';

let fake: FakeGitHub;
afterEach(async () => {
  await fake?.close();
});

describe('a fork on its first run', () => {
  it('creates the five labels and points the issue chooser at its own site, in the one commit with the signatures', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          body: signBody({ name: 'Анна Петрова', country: 'RU' }),
          labels: ['signature'],
          user: { login: 'apetrova', id: 1234567 },
        },
      ],
    });
    const checkout = await makeCheckout(fake);
    // As forked: the chooser still links to the original petition's site (the amur-leopard fixture's).
    const forkedFrom = path.join(leopardProject, ISSUE_CHOOSER_CONFIG_PATH);
    await copyFile(forkedFrom, path.join(checkout, ISSUE_CHOOSER_CONFIG_PATH));

    const summary = await runProcessor(fake, checkout);

    expect(fake.labels().sort()).toEqual(['rejected', 'signature', 'signed', 'withdrawal', 'withdrawn']);
    expect(summary.counts.signed).toBe(1);
    const commits = fake.commits();
    expect(commits).toHaveLength(2); // the run's one commit, newest first, and the initial commit
    expect(commits[0]!.message).toContain("Point the issue chooser's link at https://leopards.github.io/petition/");
    expect(Object.keys(signatureFiles(fake))).toEqual(['signatures/67/45/1234567.md']);
    const chooser = fake.files()[ISSUE_CHOOSER_CONFIG_PATH]!;
    expect(chooser).toContain('url: https://leopards.github.io/petition/');
    expect(chooser).not.toContain('amur-leopard');
    // The comments that explain the file survive the rewrite.
    expect(chooser).toContain('# Only the two forms');
    expect(await readFile(forkedFrom, 'utf8')).toContain('petition-as-code.github.io/amur-leopard/');
  });

  it('warns the maintainer when the settings still name the repository it was forked from', async () => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition' });
    const checkout = await makeCheckout(fake, { repository: 'petition-as-code/amur-leopard' });
    const summary = await runProcessor(fake, checkout);
    expect(summary.logs.join('\n')).toContain(
      'content/settings.json names the repository "petition-as-code/amur-leopard", but this runs in "leopards/petition"',
    );
  });
});
