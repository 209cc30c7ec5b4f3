/**
 * The riverside-library fixture: a petition made from the template by another campaign (English
 * and Spanish, a mayor and a council as recipients, goal 5,000, its own repository and path). The
 * site follows it, and nothing of the petition it was made from is left behind.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { fixtureSettings, petitionProject } from '../helpers/petitions.ts';
import { buildSite, listFiles, type BuiltSite } from '../helpers/site.ts';

const settings = (await fixtureSettings('riverside-library')) as { path_prefix: string; goal: number; title: string };
let site: BuiltSite;

beforeAll(async () => {
  const signatures = await mkdtemp(path.join(os.tmpdir(), 'petition-riverside-'));
  await writeSignatureFiles(signatures, generateSampleRecords(3, { seed: 27 }));
  site = await buildSite({
    signaturesDir: signatures,
    root: await petitionProject('riverside-library'),
    env: { PATH_PREFIX: settings.path_prefix },
  });
});

describe('a petition of another campaign, in English and Spanish', () => {
  it('names each recipient as the letter gives it: an office and a name, or an institution alone with no dangling comma', async () => {
    for (const [page, expected] of [
      ['letter/index.html', ['Mayor of Riverside, Jane Doe', 'Riverside City Council']],
      ['es/letter/index.html', ['Alcaldesa de Riverside, Jane Doe', 'Concejo Municipal de Riverside']],
      ['letter/delivery/index.html', ['Mayor of Riverside, Jane Doe', 'Riverside City Council']],
    ] as const) {
      const items = [...(await site.dom(page)).querySelectorAll('.letter-body ul.recipients li')].map((li) =>
        li.textContent?.trim(),
      );
      expect(items, page).toEqual(expected);
    }
  });

  it('opens the letter with its own sentence, in each language, with the number of signers', async () => {
    expect((await site.dom('letter/index.html')).querySelector('.tally-sentence')?.textContent).toBe(
      'We, 3 residents and friends of Riverside, write to you:',
    );
    expect((await site.dom('es/letter/index.html')).querySelector('.tally-sentence')?.textContent).toBe(
      'Nosotros, 3 vecinos y amigos de Riverside, les escribimos:',
    );
    expect(await site.read('letter/index.html')).not.toContain('undersigned');
  });

  it('publishes its own goal and path, and nothing of the petition it was made from', async () => {
    const tally = JSON.parse(await site.read('data/tally.json')) as { goal: number };
    expect(tally.goal).toBe(settings.goal);
    const home = await site.read('index.html');
    expect(home).toContain(`href="${settings.path_prefix}letter/"`);
    for (const file of await listFiles(site.output, ['.html', '.xml', '.json', '.svg', '.txt', '.css', '.js']))
      expect(await readFile(path.join(site.output, file), 'utf8'), file).not.toMatch(
        /leopard|amur-leopard|Wen Jiabao/i,
      );
    expect(
      (await listFiles(site.output, ['.svg', '.png', '.jpg'])).filter((file) => file.startsWith('assets/images/')),
    ).toEqual([]);
  });

  it('sends Spanish readers to the Spanish issue form, and English readers to the English one', async () => {
    const template = async (page: string) =>
      (await site.dom(page)).querySelector('form.sign-form input[name="template"]')?.getAttribute('value');
    expect(await template('sign/index.html')).toBe('sign.yml');
    expect(await template('es/sign/index.html')).toBe('sign-es.yml');
  });
});
