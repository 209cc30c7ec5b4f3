/**
 * The line "… signatures were waiting to be counted": the Pages build asks the GitHub API (here the
 * fake GitHub, by its base URL) how many signature issues are open, prints it in every language,
 * and leaves it out without a token, when the API fails, or when the answer is not a count.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { countWaitingSignatures, waitingCount } from '../../scripts/site/waiting-signatures.ts';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import { buildSite, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { oneSignatureSite } from '../helpers/shared-builds.ts';

const ONE = path.join(projectRoot, 'test/fixtures/signatures/one');
const TOKEN = 'build-token';

/** Open signature issues, and others that must not be counted. */
function issues(open: number) {
  return [
    ...Array.from({ length: open }, (_, i) => ({
      body: '',
      labels: ['signature'],
      user: { login: `s${i}`, id: 900 + i },
    })),
    { body: '', labels: ['signature'], state: 'closed' as const, user: { login: 'done', id: 800 } },
    { body: '', labels: ['withdrawal'], user: { login: 'gone', id: 801 } },
    { body: '', labels: [], user: { login: 'question', id: 802 } },
  ];
}

let fake: FakeGitHub | undefined;
const sites: BuiltSite[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});
afterAll(async () => {
  for (const site of sites) await rm(path.dirname(site.output), { recursive: true, force: true });
});

describe('the count of signatures waiting to be counted', () => {
  it('is the number of open issues with the signature label, in one request', async () => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', token: TOKEN, issues: issues(7) });
    const options = { repository: 'leopards/petition', token: TOKEN, apiUrl: fake.baseUrl };
    expect(await countWaitingSignatures(options)).toBe(7);
    expect(fake.requests).toHaveLength(1);
    fake.setIssueState(1, 'closed');
    expect(await countWaitingSignatures(options)).toBe(6);
  });

  it('is 0 or 1 when there is one page at most', async () => {
    for (const open of [0, 1]) {
      fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', issues: issues(open) });
      expect(
        await countWaitingSignatures({ repository: 'leopards/petition', token: TOKEN, apiUrl: fake.baseUrl }),
      ).toBe(open);
      await fake.close();
      fake = undefined;
    }
  });

  it('is not asked for without a token, and not known when the API refuses, fails or is unreachable', async () => {
    let asked = 0;
    const counting: typeof fetch = async () => {
      asked += 1;
      return new Response('[]');
    };
    expect(await countWaitingSignatures({ repository: 'leopards/petition', token: undefined, fetch: counting })).toBe(
      undefined,
    );
    expect(asked).toBe(0);

    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', token: TOKEN, issues: issues(3) });
    const notes: string[] = [];
    const note = (message: string) => notes.push(message);
    const ask = (token: string, apiUrl: string) =>
      countWaitingSignatures({ repository: 'leopards/petition', token, apiUrl }, note);
    expect(await ask('wrong-token', fake.baseUrl)).toBe(undefined);
    fake.inject({ path: /\/issues/, status: 500, body: { message: 'Server Error' } });
    expect(await ask(TOKEN, fake.baseUrl)).toBe(undefined);
    const unreachable = fake.baseUrl;
    await fake.close();
    fake = undefined;
    expect(await ask(TOKEN, unreachable)).toBe(undefined);
    expect(notes).toEqual([
      'Signatures waiting to be counted: left out (the API answered 401).',
      'Signatures waiting to be counted: left out (the API answered 500).',
      'Signatures waiting to be counted: left out (the request failed).',
    ]);
  });

  it('ignores an answer that is not a count', async () => {
    const last = (page: string) => `<https://api.github.com/repositories/1/issues?per_page=1&page=${page}>; rel="last"`;
    expect(waitingCount([{}], last('1204'))).toBe(1204);
    for (const page of ['abc', '-3', '1e9', '12345678901', ''])
      expect(waitingCount([{}], last(page)), page).toBe(undefined);
    expect(waitingCount({ total_count: 5 }, null)).toBe(undefined);
    expect(waitingCount('12', null)).toBe(undefined);
    expect(waitingCount([{}, {}], null)).toBe(undefined);
    expect(waitingCount([{}], `${last('5')}${' '.repeat(3000)}`)).toBe(undefined);
    expect(waitingCount([{}], '<not a url>; rel="last"')).toBe(undefined);
    // Through HTTP: a Link header whose last page is not a number.
    const hostile: typeof fetch = async () =>
      new Response('[{}]', { headers: { link: last('"1,204"'), 'content-type': 'application/json' } });
    expect(await countWaitingSignatures({ repository: 'leopards/petition', token: TOKEN, fetch: hostile })).toBe(
      undefined,
    );
  });
});

describe('the line on the site', () => {
  it('tells readers in every language how many signatures wait, with that language’s plurals', async () => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', token: TOKEN, issues: issues(3) });
    const site = await buildSite({
      signaturesDir: ONE,
      settings: { repository: 'leopards/petition' },
      env: { PETITION_ISSUES_TOKEN: TOKEN, GITHUB_API_URL: fake.baseUrl, PETITION_REPOSITORY: 'leopards/petition' },
    });
    sites.push(site);
    const line = async (page: string) => (await site.dom(page)).querySelector('.progress .waiting')?.textContent;
    expect(await line('index.html')).toBe(
      '3 more signatures were waiting to be counted when this page was made; the count runs every 15 minutes.',
    );
    expect(await line('ru/index.html')).toBe(
      'Ещё 3 подписи ждали подсчёта, когда создавалась эта страница; подсчёт идёт каждые 15 минут.',
    );
    expect(await line('zh/sign/index.html')).toBe('本页生成时，还有 3 个签名等待计入；每 15 分钟计数一次。');
  });

  it('is left out, and the build goes on, without a token or when the API is down', async () => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', token: TOKEN, issues: issues(3) });
    const down = fake.baseUrl;
    await fake.close();
    fake = undefined;
    for (const env of [{}, { PETITION_ISSUES_TOKEN: TOKEN, GITHUB_API_URL: down }] as Record<string, string>[]) {
      // Without a token: the fixture's shared one-signature build (test/helpers/shared-builds.ts).
      const site =
        'GITHUB_API_URL' in env
          ? await buildSite({ signaturesDir: ONE, env: { ...env, PETITION_REPOSITORY: 'leopards/petition' } })
          : await oneSignatureSite();
      sites.push(site);
      expect((await site.dom('index.html')).querySelector('.progress .waiting'), JSON.stringify(env)).toBeNull();
      if ('GITHUB_API_URL' in env) expect(site.log).toContain('Signatures waiting to be counted: left out');
    }
  });
});
