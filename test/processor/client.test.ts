import { afterEach, describe, expect, it } from 'vitest';
import { createClient, rateLimitWait } from '../../scripts/github/client.ts';
import { secondaryRateLimit, startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';

let fake: FakeGitHub;
afterEach(async () => {
  await fake?.close();
});

const repository = { owner: 'leopards', repo: 'petition' };
const issue = { body: 'hello', labels: ['signature'], user: { login: 'apetrova', id: 1234567 } };

/** A client on the fake whose waits are recorded instead of slept (retry-after counted in 10 ms). */
async function client(options: { writeIntervalMs?: number } = {}) {
  fake = await startFakeGitHub({ ...repository, issues: [issue, { ...issue, user: { login: 'wei', id: 2 } }] });
  const waits: number[] = [];
  const logs: string[] = [];
  let requests = 0;
  const octokit = createClient({
    baseUrl: fake.baseUrl,
    token: 'test-token',
    writeIntervalMs: options.writeIntervalMs ?? 0,
    retryTimeUnitMs: 10,
    log: (message) => logs.push(message),
    onRequest: () => (requests += 1),
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { octokit, waits, logs, requests: () => requests };
}

const answered = (status: number) => fake.requests.filter((request) => request.status === status).length;

describe("the processor's GitHub client", () => {
  it('starts content-creating requests a write interval apart and never holds back reads', async () => {
    const { octokit, waits } = await client({ writeIntervalMs: 60_000 });
    await octokit.rest.issues.get({ ...repository, issue_number: 1 });
    await octokit.rest.issues.get({ ...repository, issue_number: 2 });
    expect(waits).toEqual([]);
    await octokit.rest.issues.createComment({ ...repository, issue_number: 1, body: 'one' });
    await octokit.rest.issues.get({ ...repository, issue_number: 1 });
    await octokit.rest.issues.createComment({ ...repository, issue_number: 2, body: 'two' });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(50_000);
    expect(waits[0]).toBeLessThanOrEqual(60_000);
  });

  it('waits out a secondary rate limit for the seconds GitHub names, and logs it', async () => {
    const { octokit, waits, logs } = await client();
    fake.inject(secondaryRateLimit({ method: 'POST', path: /\/comments$/ }, 7));
    await octokit.rest.issues.createComment({ ...repository, issue_number: 1, body: 'receipt' });
    expect(waits).toEqual([70]);
    expect(logs.join('\n')).toContain('Secondary rate limit');
    expect(fake.issue(1).comments).toHaveLength(1);
  });

  it('waits for the reset when the primary rate limit is used up, one second past it', async () => {
    const { octokit, waits, logs } = await client();
    const reset = Math.floor(Date.now() / 1000) + 30;
    fake.inject({
      method: 'GET',
      path: /\/issues\/1$/,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: { message: 'API rate limit exceeded for installation ID 1.' },
    });
    const { data } = await octokit.rest.issues.get({ ...repository, issue_number: 1 });
    expect(data.number).toBe(1);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(300);
    expect(waits[0]).toBeLessThanOrEqual(320);
    expect(logs.join('\n')).toContain('Rate limit reached');
  });

  it('gives up on a rate limit after four retries and reports the 403', async () => {
    const { octokit, logs } = await client();
    fake.inject(secondaryRateLimit({ method: 'PATCH', path: /\/issues\/1$/, times: 10 }, 1));
    await expect(octokit.rest.issues.update({ ...repository, issue_number: 1, labels: ['x'] })).rejects.toMatchObject({
      status: 403,
    });
    expect(answered(403)).toBe(5);
    expect(logs.join('\n')).toContain('giving up after 4 retries');
  });

  it('retries a server error three times, further apart each time, saying so in the log, then reports it', async () => {
    const { octokit, waits, requests, logs } = await client();
    fake.inject({ method: 'GET', path: /\/issues\/1$/, status: 502, times: 10 });
    await expect(octokit.rest.issues.get({ ...repository, issue_number: 1 })).rejects.toMatchObject({ status: 502 });
    expect(answered(502)).toBe(4);
    expect(requests()).toBe(4);
    expect(waits).toEqual([1, 4, 9]);
    expect(logs).toContain('GET /repos/{owner}/{repo}/issues/{issue_number} failed (502); retry 3 of 3.');
  });

  it('retries a dropped connection and a 429 without rate-limit headers', async () => {
    const { octokit } = await client();
    fake.inject({ method: 'GET', path: /\/issues\/1$/, status: 0, dropConnection: true });
    fake.inject({ method: 'GET', path: /\/issues\/2$/, status: 429, body: { message: 'Too many' } });
    expect((await octokit.rest.issues.get({ ...repository, issue_number: 1 })).data.number).toBe(1);
    expect((await octokit.rest.issues.get({ ...repository, issue_number: 2 })).data.number).toBe(2);
  });

  it('never retries what a retry cannot fix, nor a request that asks for no retries', async () => {
    const { octokit } = await client();
    fake.inject({ method: 'PATCH', path: /\/issues\/1$/, status: 422, body: { message: 'Validation Failed' } });
    await expect(octokit.rest.issues.update({ ...repository, issue_number: 1, labels: ['x'] })).rejects.toMatchObject({
      status: 422,
    });
    fake.inject({ method: 'POST', path: /\/comments$/, status: 502, times: 5 });
    await expect(
      octokit.rest.issues.createComment({ ...repository, issue_number: 1, body: 'x', request: { retries: 0 } }),
    ).rejects.toMatchObject({ status: 502 });
    expect(answered(422)).toBe(1);
    expect(answered(502)).toBe(1);
  });

  it('reads every page of a listing and the JSON of each answer', async () => {
    fake = await startFakeGitHub({
      ...repository,
      perPageMax: 2,
      issues: Array.from({ length: 5 }, (_, i) => ({ ...issue, user: { login: `u${i}`, id: 100 + i } })),
    });
    const octokit = createClient({ baseUrl: fake.baseUrl, token: 'test-token', writeIntervalMs: 0 });
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
      ...repository,
      per_page: 100,
      direction: 'asc',
    });
    expect(issues.map((item) => item.user?.id)).toEqual([100, 101, 102, 103, 104]);
  });

  it('reads how long a rate limit asks to wait as GitHub documents it, and nothing else as a rate limit', () => {
    const now = Date.UTC(2026, 10, 24, 12);
    const failure = (status: number, message: string, headers: Record<string, string>) => ({
      status,
      message,
      response: { headers },
    });
    expect(
      rateLimitWait(failure(403, 'You have exceeded a secondary rate limit', { 'retry-after': '30' }), now),
    ).toEqual({
      seconds: 30,
      what: 'Secondary rate limit',
    });
    expect(rateLimitWait(failure(403, 'You have exceeded a secondary rate limit', {}), now)?.seconds).toBe(60);
    expect(
      rateLimitWait(failure(403, 'You have triggered an abuse detection mechanism', { 'retry-after': '5' }), now)
        ?.seconds,
    ).toBe(5);
    expect(
      rateLimitWait(
        failure(403, 'API rate limit exceeded', {
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(now / 1000 + 90),
        }),
        now,
      )?.seconds,
    ).toBe(91);
    expect(rateLimitWait(failure(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0' }), now)?.seconds).toBe(
      0,
    );
    expect(
      rateLimitWait(failure(403, 'Resource not accessible by integration', { 'x-ratelimit-remaining': '4999' }), now),
    ).toBeUndefined();
    expect(rateLimitWait(failure(502, 'Bad gateway', { 'retry-after': '5' }), now)).toBeUndefined();
    expect(rateLimitWait(failure(429, 'Too many requests', { 'retry-after': '0' }), now)).toBeUndefined();
  });
});
