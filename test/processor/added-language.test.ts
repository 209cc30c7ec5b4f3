/**
 * A language added the documented way (`npm run add-language -- es`, then translated): the
 * riverside-library fixture's Spanish. Signing, the receipt and withdrawal work in it as in the
 * languages that ship.
 */
import { cp, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderIssueForm } from '../../scripts/core/issue-form.ts';
import { BOT_COMMENT_MARKER } from '../../scripts/core/messages.ts';
import { letterDigest } from '../../scripts/core/tally.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { formFields, makeCheckout, runProcessor, signatureFiles, syncCheckout } from './harness.ts';

let fake: FakeGitHub;
afterEach(async () => {
  await fake?.close();
});

const signEs = await formFields('sign-es.yml', 'riverside-library');
const withdrawEs = await formFields('withdraw-es.yml', 'riverside-library');
const spanishLetterFile = path.join(await petitionProject('riverside-library'), 'content/es/letter.md');
const comments = (n: number) =>
  fake
    .issue(n)
    .comments.filter((comment) => comment.body.startsWith(BOT_COMMENT_MARKER))
    .map((comment) => comment.body);

describe('signers in a language added with npm run add-language', () => {
  it('are signed against the Spanish letter, answered in Spanish, and can withdraw in Spanish', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          body: renderIssueForm(signEs, {
            name: 'Lucía Gómez',
            country: 'España',
            reason: 'La biblioteca es el corazón del barrio.',
            consent: [true],
          }),
          labels: ['signature'],
          user: { login: 'lucia', id: 601 },
        },
      ],
    });
    const checkout = await makeCheckout(fake, {}, 'riverside-library');
    await mkdir(path.join(checkout, 'content/es'), { recursive: true });
    await cp(spanishLetterFile, path.join(checkout, 'content/es/letter.md'));

    const summary = await runProcessor(fake, checkout);
    expect(summary.counts.signed).toBe(1);
    const [file] = Object.values(signatureFiles(fake));
    expect(file).toContain('country: "ES"');
    expect(file).toContain(`letter_sha256: "${letterDigest(await readFile(spanishLetterFile, 'utf8'))}"`);
    const receipt = comments(1).join('\n');
    expect(receipt).toContain('**¡Gracias por firmar!** Su firma está en la carta.');
    expect(receipt).toContain('Nombre: ` Lucía Gómez `');
    expect(fake.issue(1).state).toBe('closed');

    await syncCheckout(fake, checkout);
    fake.addIssue({
      body: renderIssueForm(withdrawEs, { confirm: [true] }),
      labels: ['withdrawal'],
      user: { login: 'lucia', id: 601 },
    });
    await runProcessor(fake, checkout);
    expect(comments(2).join('\n')).toContain('**Su firma ha sido retirada.**');
    expect(signatureFiles(fake)).toEqual({});
  });
});
