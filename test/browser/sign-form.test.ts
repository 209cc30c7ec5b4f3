/**
 * The signing form in a real browser (Debian's Chromium through playwright-core), against the
 * real build served under its path prefix. GitHub cannot be reached: every navigation to
 * github.com is intercepted and answered locally, and the URL it would have opened is checked.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIGN_URL_MAX_LENGTH,
  FORM_LIMITS,
  buildSignUrl,
  plainFormWorstCaseLength,
} from '../../scripts/core/sign-url.ts';
import { emptyFormSite, FORM_PREFIX, FORM_REPOSITORY, sampleSite } from '../helpers/shared-builds.ts';
import { serveStatic, type StaticSite } from '../../scripts/tooling/static-server.ts';
import { launchBrowser, TabPool } from '../helpers/browser.ts';

const REPOSITORY = FORM_REPOSITORY;
const PREFIX = FORM_PREFIX;

const SIGNER = { name: "Анна O'Brien 李", country: 'Россия', reason: "Спасите леопарда! 救救豹子 — it's time." };

let browser: Browser;
/** Tabs of one context with JavaScript, shared by the tests that need no other settings. */
let tabs: TabPool;
const sites: Record<'open' | 'closedByOrganisers' | 'closedByDate', StaticSite> = {} as never;

beforeAll(async () => {
  // The empty fixture, open and closed by date, and the sample petition closed by its organisers
  // (test/helpers/shared-builds.ts: other files read the same builds).
  const serve = (built: Promise<{ output: string }>) => built.then((site) => serveStatic(site.output, PREFIX));
  // One build per settings variant, in parallel, while the browser starts. allSettled, so that
  // whatever did start is known to afterAll even when something else failed.
  const [open, closedByOrganisers, closedByDate, launched] = await Promise.allSettled([
    serve(emptyFormSite()),
    serve(sampleSite('closed')),
    serve(emptyFormSite({ closing: '2020-01-31' })),
    launchBrowser(),
  ]);
  const served = { open, closedByOrganisers, closedByDate };
  for (const [name, result] of Object.entries(served))
    if (result.status === 'fulfilled') sites[name as keyof typeof sites] = result.value;
  if (launched.status === 'fulfilled') browser = launched.value;
  for (const result of [launched, open, closedByOrganisers, closedByDate])
    if (result.status === 'rejected') throw result.reason;
  tabs = new TabPool(await browser.newContext());
});

afterAll(async () => {
  await browser?.close();
  await Promise.all(Object.values(sites).map((site) => site.close()));
});

/**
 * A tab of the pool whose navigations to GitHub are caught: `github()` resolves with the URL it
 * would open. GitHub's answer is 204 No Content, so the tab stays on the form's site: an aborted
 * navigation costs Chromium an error page and two more renderer processes (about 0.85 s of CPU
 * here, against 0.2 s). With `toGitHub` a stand-in page answers, for a test that follows the
 * signer there.
 */
async function openPage(
  tabs: TabPool,
  url: string,
  { toGitHub = false, viewport }: { toGitHub?: boolean; viewport?: { width: number; height: number } } = {},
): Promise<{ page: Page; github: () => Promise<string>; githubRequests: string[] }> {
  const page = await tabs.take();
  // Fail in seconds, not at the test timeout, when an expected message or navigation never comes.
  page.setDefaultTimeout(5000);
  if (viewport) await page.setViewportSize(viewport);
  const githubRequests: string[] = [];
  let resolveGithub: (url: string) => void;
  const githubPromise = new Promise<string>((resolve) => (resolveGithub = resolve));
  await page.route(/^https:\/\/github\.com\//, async (route) => {
    githubRequests.push(route.request().url());
    resolveGithub(route.request().url());
    if (!toGitHub) await route.fulfill({ status: 204 });
    else
      await route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>GitHub (stand-in)</title><p>GitHub',
      });
  });
  await page.goto(url);
  const github = () =>
    Promise.race([
      githubPromise,
      new Promise<string>((_, reject) =>
        setTimeout(() => reject(new Error('The page did not go to GitHub within 5 s.')), 5000).unref(),
      ),
    ]);
  return { page, github, githubRequests };
}

async function fill(page: Page, values: { name: string; country: string; reason: string }) {
  await page.fill('#sign-name', values.name);
  await page.fill('#sign-country', values.country);
  await page.fill('#sign-reason', values.reason);
}

const params = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('signing with JavaScript', () => {
  it('opens GitHub’s signature form with every field prefilled exactly as typed, and a title with the name', async () => {
    const { page, github } = await openPage(tabs, sites.open.url);
    await fill(page, SIGNER);
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    const url = await github();
    expect(new URL(url).pathname).toBe(`/${REPOSITORY}/issues/new`);
    expect(params(url)).toEqual({ template: 'sign.yml', title: "Signature: Анна O'Brien 李", ...SIGNER });
    // The page's script and scripts/core/sign-url.ts build the very same URL.
    expect(url).toBe(buildSignUrl(REPOSITORY, SIGNER).url);
    await tabs.give(page);
  });

  it('labels every field, describes it with its hint, and says before the button what becomes public and how to withdraw', async () => {
    const { page } = await openPage(tabs, `${sites.open.url}sign/`);
    const description = (label: string) =>
      page.getByLabel(label, { exact: true }).evaluate((element) =>
        (element.getAttribute('aria-describedby') ?? '')
          .split(' ')
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' '),
      );
    expect(await description('Your name, as it will be shown')).toMatch(/Public.*Initials are fine/);
    expect(await description('Country or territory')).toContain('“Россия”, “中国”, “Deutschland” or “DE”');
    expect(await description('Why you are signing (optional)')).toContain('Optional. Up to 1,000 characters');
    const before = page.locator('.before-you-sign');
    expect(await before.textContent()).toMatch(
      /GitHub account[\s\S]*GitHub username[\s\S]*public[\s\S]*tick the consent box and press “Submit new issue”/,
    );
    expect(await before.getByRole('link', { name: 'how withdrawing works' }).getAttribute('href')).toBe(
      `${PREFIX}how-it-works/#withdraw`,
    );
    expect(await before.getByRole('link', { name: 'withdrawal form' }).getAttribute('href')).toBe(
      `https://github.com/${REPOSITORY}/issues/new?template=withdraw.yml`,
    );
    await tabs.give(page);
  });

  it('uses the site’s dark colours when the reader prefers a dark scheme', async () => {
    const dark = await browser.newContext({ colorScheme: 'dark' });
    const { page } = await openPage(new TabPool(dark), `${sites.open.url}sign/`);
    const colours = await page.evaluate(() => ({
      body: getComputedStyle(document.body).backgroundColor,
      input: getComputedStyle(document.getElementById('sign-name')!).backgroundColor,
      text: getComputedStyle(document.getElementById('sign-name')!).color,
    }));
    expect(colours.input).toBe(colours.body);
    // Light text on a dark field: the red channel of the text is far above the background's.
    const red = (colour: string) => Number(/\d+/.exec(colour)![0]);
    expect(red(colours.text) - red(colours.input)).toBeGreaterThan(150);
    await dark.close();
  });

  it('works the same from the /sign/ page', async () => {
    const { page, github } = await openPage(tabs, `${sites.open.url}sign/`);
    await fill(page, { name: 'Li Lei', country: '中国', reason: '' });
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    expect(params(await github())).toEqual({
      template: 'sign.yml',
      title: 'Signature: Li Lei',
      name: 'Li Lei',
      country: '中国',
      reason: '',
    });
    await tabs.give(page);
  });

  it('says in words that the name is missing, in a summary that gets focus and links to the field, and stays on the page', async () => {
    const { page, githubRequests } = await openPage(tabs, sites.open.url, { toGitHub: true });
    const title = await page.title();
    await fill(page, { name: '   ', country: 'Germany', reason: '' });
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    await expect.poll(() => page.locator('#sign-name-error').textContent()).toContain('Please write your name');
    // GOV.UK's pattern: the summary takes focus, the title says "Error:", the field is marked.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-error-summary');
    expect(await page.title()).toBe(`Error: ${title}`);
    const summary = page.locator('#sign-error-summary');
    expect(await summary.isVisible()).toBe(true);
    expect(await summary.getByRole('heading').textContent()).toBe('There is a problem');
    expect(await summary.locator('[role="alert"]').count()).toBe(1);
    const link = summary.getByRole('link', { name: /Please write your name/ });
    expect(await link.getAttribute('href')).toBe('#sign-name');
    expect(await page.getAttribute('#sign-name', 'aria-invalid')).toBe('true');
    // The message sits between the hint and the input, and says "Error:" to screen readers.
    expect(
      await page.evaluate(() => {
        const input = document.getElementById('sign-name')!;
        return [input.previousElementSibling?.id, input.previousElementSibling?.previousElementSibling?.id];
      }),
    ).toEqual(['sign-name-error', 'sign-name-hint']);
    expect(await page.locator('#sign-name-error .visually-hidden').textContent()).toBe('Error: ');
    // No live region that is hidden until filled: the focused summary does the announcing.
    expect(await page.locator('.sign-form [aria-live]').count()).toBe(0);
    // The message is part of the field's accessible description.
    expect(await page.getAttribute('#sign-name', 'aria-describedby')).toContain('sign-name-error');
    expect(githubRequests).toEqual([]);
    expect(page.url()).toBe(sites.open.url);

    // The summary's link puts the cursor in the field.
    await link.click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-name');

    // A second, different error replaces the first, and the summary takes focus again.
    await page.fill('#sign-name', '@anna');
    await page.focus('#sign-reason');
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    await expect.poll(() => summary.textContent()).toContain('start your name with a letter');
    expect(await summary.textContent()).not.toContain('Please write your name');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-error-summary');

    // Fixing it clears the message and continues to GitHub.
    await page.fill('#sign-name', 'Anna P.');
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    await page.waitForURL(/^https:\/\/github\.com\//);
    await tabs.give(page);
  });

  it('refuses a name that starts like a spreadsheet formula, as the robot would', async () => {
    const { page, githubRequests } = await openPage(tabs, sites.open.url);
    await fill(page, { name: '=HYPERLINK("x")', country: 'DE', reason: '' });
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    await expect.poll(() => page.locator('#sign-name-error').textContent()).toContain('start your name with a letter');
    expect(githubRequests).toEqual([]);
    await tabs.give(page);
  });

  it('recognises countries written in other languages and as codes', async () => {
    for (const country of ['Россия', '中国', 'Deutschland', 'DE', 'côte d’ivoire', 'UK', 'Japon']) {
      const { page, github } = await openPage(tabs, sites.open.url);
      await fill(page, { name: 'Anna P.', country, reason: '' });
      await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
      // Either the browser goes to GitHub at once (recognised) or the page questions the country.
      const outcome = await Promise.race([
        github().then((url) => params(url).country),
        page
          .locator('#sign-country-error:not(:empty)')
          .textContent()
          .then((message) => `questioned: ${message}`),
      ]);
      expect(outcome, country).toBe(country);
      await tabs.give(page);
    }
  });

  it('questions an unknown country once, then lets the signer go on if they insist', async () => {
    const { page, github, githubRequests } = await openPage(tabs, sites.open.url);
    await fill(page, { name: 'Anna P.', country: 'Atlantis', reason: '' });
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    await expect
      .poll(() => page.locator('#sign-country-error').textContent())
      .toContain('We don’t recognise “Atlantis”');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-error-summary');
    expect(await page.locator('#sign-error-summary a[href="#sign-country"]').count()).toBe(1);
    expect(githubRequests).toEqual([]);
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    expect(params(await github()).country).toBe('Atlantis');
    await tabs.give(page);
  });

  it('keeps the link under 6,000 characters with a 1,000-character Chinese reason, and tells the signer first', async () => {
    const reason = '保护远东豹的森林'.repeat(125);
    expect(reason).toHaveLength(1000);
    const { page, github, githubRequests } = await openPage(tabs, sites.open.url);
    await fill(page, { name: '李雷', country: '中国', reason });
    expect(await page.inputValue('#sign-reason')).toBe(reason);
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    await expect
      .poll(() => page.locator('#sign-reason-error').textContent())
      .toMatch(/only its first \d+ characters will be filled in/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-error-summary');
    expect(await page.locator('#sign-error-summary a[href="#sign-reason"]').count()).toBe(1);
    expect(githubRequests).toEqual([]);

    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    const url = await github();
    expect(url.length).toBeLessThanOrEqual(SIGN_URL_MAX_LENGTH);
    const sent = params(url).reason!;
    expect(reason.startsWith(sent)).toBe(true);
    expect(sent.length).toBeGreaterThan(400);
    expect(url).toBe(buildSignUrl(REPOSITORY, { name: '李雷', country: '中国', reason }).url);
    await tabs.give(page);
  });

  it('can be filled in and sent with the keyboard alone, with a visible focus outline', async () => {
    const { page, github } = await openPage(tabs, `${sites.open.url}sign/`);
    for (let i = 0; i < 40 && (await page.evaluate(() => document.activeElement?.id)) !== 'sign-name'; i++)
      await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('sign-name');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.type('Anna P.');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Russia');
    await page.keyboard.press('Escape'); // closes the suggestions
    await page.keyboard.press('Enter');
    expect(params(await github())).toMatchObject({ name: 'Anna P.', country: 'Russia' });
    await tabs.give(page);
  });
});

describe('signing without JavaScript', () => {
  let context: BrowserContext;
  let noScriptTabs: TabPool;
  beforeAll(async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    noScriptTabs = new TabPool(context);
  });
  afterAll(() => context.close());

  it('still opens GitHub’s signature form with every field prefilled exactly as typed', async () => {
    const { page, github } = await openPage(noScriptTabs, sites.open.url);
    await fill(page, { ...SIGNER, reason: 'Line one\nline two' });
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    const url = await github();
    expect(new URL(url).pathname).toBe(`/${REPOSITORY}/issues/new`);
    // A plain form sends the fixed title, and a textarea's line breaks as CRLF.
    expect(params(url)).toEqual({
      template: 'sign.yml',
      title: 'Signature',
      name: SIGNER.name,
      country: SIGNER.country,
      reason: 'Line one\r\nline two',
    });
    await noScriptTabs.give(page);
  });

  it('cannot produce a link over 6,000 characters, even with the longest Chinese text pasted in every field', async () => {
    const { page, github } = await openPage(noScriptTabs, sites.open.url);
    // insertText behaves like pasting: the browser enforces maxlength.
    for (const [field, length] of [
      ['#sign-name', 300],
      ['#sign-country', 300],
      ['#sign-reason', 1000],
    ] as const) {
      await page.focus(field);
      await page.keyboard.insertText('豹'.repeat(length));
    }
    expect((await page.inputValue('#sign-reason')).length).toBe(FORM_LIMITS.plainReason);
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    const url = await github();
    expect(url.length).toBeLessThanOrEqual(SIGN_URL_MAX_LENGTH);
    expect(url.length).toBeLessThanOrEqual(plainFormWorstCaseLength(REPOSITORY.length));
    expect(params(url)).toMatchObject({
      name: '豹'.repeat(FORM_LIMITS.name),
      country: '豹'.repeat(FORM_LIMITS.country),
      reason: '豹'.repeat(FORM_LIMITS.plainReason),
    });
    await noScriptTabs.give(page);
  });

  it('lets the browser stop an empty name before leaving the page', async () => {
    const { page, githubRequests } = await openPage(noScriptTabs, sites.open.url);
    await fill(page, { name: '', country: 'Germany', reason: '' });
    await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
    expect(
      await page.evaluate(() => (document.getElementById('sign-name') as HTMLInputElement).validity.valueMissing),
    ).toBe(true);
    expect(githubRequests).toEqual([]);
    expect(page.url()).toBe(sites.open.url);
    await noScriptTabs.give(page);
  });
});

describe('on a narrow phone', () => {
  it('fits 320 CSS pixels without horizontal scrolling, messages included', async () => {
    for (const url of [sites.open.url, `${sites.open.url}sign/`]) {
      const { page } = await openPage(tabs, url, { viewport: { width: 320, height: 640 } });
      await page.getByRole('button', { name: 'Continue to GitHub to sign' }).click();
      await expect.poll(() => page.locator('#sign-name-error').textContent()).not.toBe('');
      expect(await page.evaluate(() => document.documentElement.scrollWidth), url).toBeLessThanOrEqual(320);
      const form = await page.locator('#sign-form').boundingBox();
      expect(form!.x + form!.width).toBeLessThanOrEqual(320);
      await tabs.give(page);
    }
  });
});

describe('a closed petition', () => {
  it('replaces the form with a notice that the organisers closed it', async () => {
    for (const url of [sites.closedByOrganisers.url, `${sites.closedByOrganisers.url}sign/`]) {
      const { page } = await openPage(tabs, url);
      expect(await page.locator('form').count(), url).toBe(0);
      await expect.poll(() => page.locator('.sign .notice').textContent()).toContain('The organisers closed it');
      await tabs.give(page);
    }
  });

  it('replaces the form with a notice saying on which date it closed', async () => {
    for (const url of [sites.closedByDate.url, `${sites.closedByDate.url}sign/`]) {
      const { page } = await openPage(tabs, url);
      expect(await page.locator('form').count(), url).toBe(0);
      await expect
        .poll(() => page.locator('.sign .notice').textContent())
        .toContain('It closed at the end of 31 January 2020');
      await tabs.give(page);
    }
  });
});
