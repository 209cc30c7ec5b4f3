/**
 * Signing in Russian and in Chinese, end to end, with GitHub played by the fake: the site's form
 * in a real browser → the URL of that language's issue form, prefilled → the issue GitHub would
 * make of it (renderIssueForm with that template) → the real processor → a receipt in that
 * language → the signer's entry on the rebuilt site.
 */
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { formFieldsFromTemplate, renderIssueForm } from '../../scripts/core/issue-form.ts';
import { BOT_COMMENT_MARKER } from '../../scripts/core/messages.ts';
import { letterDigest } from '../../scripts/core/tally.ts';
import { buildSignUrl } from '../../scripts/core/sign-url.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { launchBrowser } from '../helpers/browser.ts';
import { buildSite } from '../helpers/site.ts';
import { emptyFormSite, FORM_PREFIX, FORM_REPOSITORY } from '../helpers/shared-builds.ts';
import { drawnListPage } from '../helpers/list-script.ts';
import { leopardProject, makeCheckout, REPOSITORY, runProcessor, signatureFiles } from '../processor/harness.ts';

const PREFIX = FORM_PREFIX;
let browser: Browser;
let site: StaticSite;
let fake: FakeGitHub | undefined;

beforeAll(async () => {
  // The empty fixture's form, open, its issues in the processor's repository: a build other files share.
  expect(FORM_REPOSITORY).toBe(REPOSITORY);
  const [served, launched] = await Promise.allSettled([
    emptyFormSite().then((built) => serveStatic(built.output, PREFIX)),
    launchBrowser(),
  ]);
  if (served.status === 'fulfilled') site = served.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [served, launched]) if (result.status === 'rejected') throw result.reason;
});

afterAll(async () => {
  await fake?.close();
  await browser?.close();
  await site?.close();
});

/** Fills the form on a page and returns the URL it sends the signer to (GitHub is never reached). */
async function signOnSite(
  page: Page,
  values: { name: string; country: string; reason: string },
  button: string,
): Promise<string> {
  let reached: (url: string) => void;
  const github = new Promise<string>((resolve) => (reached = resolve));
  await page.route(/^https:\/\/github\.com\//, async (route) => {
    reached(route.request().url());
    // No Content: the tab stays on the site, and Chromium starts no renderer process for GitHub.
    await route.fulfill({ status: 204 });
  });
  await page.fill('#sign-name', values.name);
  await page.fill('#sign-country', values.country);
  await page.fill('#sign-reason', values.reason);
  await page.getByRole('button', { name: button }).click();
  return github;
}

describe.each([
  {
    language: 'ru',
    template: 'sign-ru.yml',
    button: 'Перейти на GitHub, чтобы подписать',
    signer: { name: 'Ольга К.', country: 'Германия', reason: 'Спасите леопарда!' },
    title: 'Подпись: Ольга К.',
    receipt: 'Спасибо, что подписали!',
    count: '1 подпись из 1 страны',
    countryName: 'Германия',
  },
  {
    language: 'zh',
    template: 'sign-zh.yml',
    button: '前往 GitHub 签名',
    signer: { name: '王伟', country: '德国', reason: '保护远东豹' },
    title: '签名：王伟',
    receipt: '感谢您的签名',
    count: '1 个签名，来自 1 个国家和地区',
    countryName: '德国',
  },
])('signing in $language', ({ language, template, button, signer, title, receipt, count, countryName }) => {
  it('goes from the form to that language’s issue form, a receipt in that language and the entry on the rebuilt site', async () => {
    // 1. The form, in a real browser, sends the signer to the issue form of the page's language.
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(5000);
    await page.goto(`${site.url}${language}/sign/`);
    const url = await signOnSite(page, signer, button);
    await context.close();
    const query = Object.fromEntries(new URL(url).searchParams);
    expect(new URL(url).pathname).toBe(`/${REPOSITORY}/issues/new`);
    expect(query).toEqual({ template, title, ...signer });
    // The page's script and scripts/core/sign-url.ts build the very same URL for this language.
    const form = { template, title: title.split(/[:：]/)[0]!, titleWithName: title.replace(signer.name, '{name}') };
    expect(url).toBe(buildSignUrl(REPOSITORY, signer, undefined, form).url);

    // 2. GitHub renders that template with the prefilled fields and the ticked consent box.
    const fields = formFieldsFromTemplate(
      YAML.parse(await readFile(path.join(leopardProject, '.github/ISSUE_TEMPLATE', query.template!), 'utf8')),
    );
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        {
          title: query.title!,
          body: renderIssueForm(fields, {
            name: query.name!,
            country: query.country!,
            reason: query.reason!,
            consent: [true],
          }),
          labels: ['signature'],
          user: { login: `signer-${language}`, id: 7001 },
        },
      ],
    });

    // 3. The processor, with the translated letter in its checkout, signs and answers in that language.
    const checkout = await makeCheckout(fake);
    await mkdir(path.join(checkout, 'content', language), { recursive: true });
    await cp(
      path.join(leopardProject, 'content', language, 'letter.md'),
      path.join(checkout, 'content', language, 'letter.md'),
    );
    const summary = await runProcessor(fake, checkout);
    expect(summary.counts.signed).toBe(1);
    const answer = fake.issue(1).comments.find((comment) => comment.body.startsWith(BOT_COMMENT_MARKER))!.body;
    expect(answer).toContain(receipt);
    const [signatureFile, signatureText] = Object.entries(signatureFiles(fake))[0]!;
    const translatedLetter = await readFile(path.join(leopardProject, 'content', language, 'letter.md'), 'utf8');
    expect(signatureText).toContain(`letter_sha256: "${letterDigest(translatedLetter)}"`);
    await fake.close();
    fake = undefined;

    // 4. The rebuilt site shows the entry, counted and named in the reader's language.
    const signatures = await mkdtemp(path.join(os.tmpdir(), 'petition-signed-'));
    await mkdir(path.dirname(path.join(signatures, signatureFile.replace(/^signatures\//, ''))), { recursive: true });
    await writeFile(path.join(signatures, signatureFile.replace(/^signatures\//, '')), signatureText);
    const rebuilt = await buildSite({ signaturesDir: signatures, settings: { repository: REPOSITORY } });
    const home = await rebuilt.dom(`${language}/index.html`);
    expect(home.querySelector('.count')?.textContent).toBe(count);
    const entry = home.querySelector('#s7001');
    expect(entry?.querySelector('.signer-name')?.textContent).toBe(signer.name);
    expect(entry?.querySelector('.signer-meta')?.textContent).toContain(countryName);
    const list = await drawnListPage(rebuilt.output, 'signatures/index.html');
    expect([...list.querySelectorAll('.signer-name')].map((name) => name.textContent)).toEqual([signer.name]);
  });
});
