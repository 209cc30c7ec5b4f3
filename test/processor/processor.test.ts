import { afterEach, describe, expect, it } from 'vitest';
// Real webhook payloads from @octokit/webhooks-examples (npm run refresh:github-webhooks).
import webhookFixture from '../fixtures/github-webhooks/examples.json' with { type: 'json' };

const webhookExamples = webhookFixture.events;
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { letterDigest } from '../../scripts/core/tally.ts';
import { secondaryRateLimit, startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import {
  botCommentsOn,
  letterText,
  makeCheckout,
  REPOSITORY,
  runProcessor,
  signatureFiles,
  signBody,
  signIssue,
  syncCheckout,
  withdrawBody,
} from './harness.ts';

let fake: FakeGitHub;
afterEach(async () => {
  await fake?.close();
});

const anna = { login: 'apetrova', id: 1234567 };
const wei = { login: 'wangwei', id: 2345678 };
const fatima = { login: 'fatima-a', id: 3456789 };
const mallory = { login: 'mallory', id: 9999 };
const sign = signIssue;
const botComments = (n: number) => botCommentsOn(fake, n);
/** A real `issues` webhook payload (@octokit/webhooks-examples, extracted in test/fixtures/github-webhooks/), about issue `number`. */
const issuesEvent = (action: 'edited' | 'reopened', number: number) => {
  const example = (
    webhookExamples as unknown as Array<{
      name: string;
      examples: Array<{ action?: string; issue?: { number: number } }>;
    }>
  )
    .find((e) => e.name === 'issues')!
    .examples.find((e) => e.action === action)!;
  return { ...example, issue: { ...example.issue!, number } };
};
/** Closed as completed, labelled signed, with exactly one receipt. */
const expectSignedWithOneReceipt = (n: number) => {
  expect(fake.issue(n).state).toBe('closed');
  expect(fake.issue(n).state_reason).toBe('completed');
  expect(fake.issue(n).labels.sort()).toEqual(['signature', 'signed']);
  expect(botComments(n)).toHaveLength(1);
  expect(botComments(n)[0]!.body).toContain('Thank you for signing');
};

describe('the signature processor', () => {
  it('commits new signatures in one commit, then closes each issue with a receipt', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [
        sign(
          anna,
          { name: 'Анна Петрова', country: 'Россия', reason: 'Спасите леопарда!' },
          { created_at: '2026-11-23T19:00:00Z' },
        ),
        sign(wei, { name: '王伟', country: '中国' }, { created_at: '2026-11-23T19:05:00Z' }),
        sign(
          fatima,
          { name: 'فاطمة العلي', country: 'Egypt', reason: "I'd like my children to see one." },
          { created_at: '2026-11-23T19:10:00Z' },
        ),
      ],
    });
    const checkout = await makeCheckout(fake);
    const summary = await runProcessor(fake, checkout);

    expect(summary.counts.signed).toBe(3);
    expect(fake.commits()).toHaveLength(2);
    const [commit] = fake.commits();
    expect(commit!.message).toMatch(
      /^Add 3 signatures\n\n#1 signature by user 1234567\n#2 signature by user 2345678\n#3 signature by user 3456789/,
    );
    const files = signatureFiles(fake);
    expect(Object.keys(files).sort()).toEqual(
      [anna, wei, fatima].map((user) => `signatures/${signatureRelativePath(user.id)}`).sort(),
    );
    expect(files[`signatures/${signatureRelativePath(anna.id)}`]).toBe(
      renderSignatureFile({
        name: 'Анна Петрова',
        country: 'RU',
        login: 'apetrova',
        user_id: anna.id,
        issue: 1,
        signed_at: '2026-11-23T19:00:00Z',
        letter_sha256: letterDigest(letterText),
        reason: 'Спасите леопарда!',
      }),
    );
    for (const n of [1, 2, 3]) {
      const issue = fake.issue(n);
      expect(issue.state).toBe('closed');
      expect(issue.state_reason).toBe('completed');
      expect(issue.labels.sort()).toEqual(['signature', 'signed']);
      expect(botComments(n)).toHaveLength(1);
      expect(issue.comments[0]!.body).toContain(`https://github.com/${REPOSITORY}/commit/${commit!.sha}`);
    }
    // The receipt page of Anna's id, which links on to her entry wherever it is in the list.
    expect(fake.issue(1).comments[0]!.body).toContain(
      `https://leopards.github.io/petition/signatures/find/${String(anna.id % 1000).padStart(3, '0')}/#s${anna.id}`,
    );
    expect(fake.labels()).toEqual(
      expect.arrayContaining(['signature', 'withdrawal', 'signed', 'rejected', 'withdrawn']),
    );
  });

  it('spends at most 2 requests per accepted signature with receipts, and about 1 without', async () => {
    const issues = Array.from({ length: 150 }, (_, i) =>
      sign({ login: `signer${i}`, id: 5000 + i }, { name: `Signer ${i}`, country: 'DE' }),
    );
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', issues });
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.counts.signed).toBe(150);
    expect(Object.keys(signatureFiles(fake))).toHaveLength(150);
    expect(fake.commits()).toHaveLength(2);
    const constant = fake.requests.filter((r) => !/\/issues\/\d+(\/comments)?$/.test(r.path)).length;
    const perIssue = fake.requests.length - constant;
    expect(perIssue / 150).toBeLessThanOrEqual(2);
    expect(constant).toBeLessThanOrEqual(16);
    expect(summary.requests).toBe(fake.requests.length);

    await fake.close();
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', issues });
    await runProcessor(fake, await makeCheckout(fake, { thank_you_comments: false }));
    const perIssueQuiet = fake.requests.filter((r) => /\/issues\/\d+(\/comments)?$/.test(r.path)).length;
    expect(perIssueQuiet / 150).toBe(1);
    expect(fake.issues().every((issue) => issue.state === 'closed' && issue.comments.length === 0)).toBe(true);
  });

  it.each([
    ['an empty name', { name: '', country: 'DE' }, 'Your name is empty'],
    ['a placeholder name', { name: 'Your Name Here', country: 'DE' }, 'looks like an example'],
    ['a web address in the name', { name: 'Visit https://spam.example', country: 'DE' }, 'contains a web address'],
    ['a formula', { name: '=cmd|calc', country: 'DE' }, 'starts with =, +, - or @'],
    ['a bidi override', { name: 'Anna \u202Egnp.exe', country: 'DE' }, 'text-direction characters'],
    ['a zero-width space', { name: 'An\u200Bna', country: 'DE' }, 'invisible characters'],
    ['an unknown country', { name: 'Anna', country: 'Atlantis' }, 'could not recognise ` Atlantis `'],
    ['no consent', { name: 'Anna', country: 'DE', consent: false }, 'consent box is not ticked'],
    ['a reason over 1,000 characters', { name: 'Anna', country: 'DE', reason: 'x'.repeat(1001) }, 'at most 1,000'],
  ])('rejects a signature with %s, saying how to fix it, and keeps the issue open', async (_label, fields, message) => {
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', issues: [sign(anna, fields)] });
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.counts.rejected).toBe(1);
    expect(fake.commits()).toHaveLength(1);
    const issue = fake.issue(1);
    expect(issue.state).toBe('open');
    expect(issue.labels.sort()).toEqual(['rejected', 'signature']);
    expect(botComments(1)).toHaveLength(1);
    expect(issue.comments[0]!.body).toContain(message);
    expect(issue.comments[0]!.body).toContain('edit this issue');
  });

  it('lists every problem at once', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: '', country: 'Narnia', consent: false })],
    });
    await runProcessor(fake, await makeCheckout(fake));
    const body = fake.issue(1).comments[0]!.body;
    expect(body).toContain('Your name is empty');
    expect(body).toContain('could not recognise ` Narnia `');
    expect(body).toContain('consent box is not ticked');
  });

  it('does not let a heading typed inside the reason override the name', async () => {
    const spoof = signBody({
      name: 'Anna',
      country: 'DE',
      reason: 'Hi\n\n### Your name, as it will be shown\n\nVladimir Putin',
    });
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [{ body: spoof, labels: ['signature'], user: anna }],
    });
    await runProcessor(fake, await makeCheckout(fake));
    expect(signatureFiles(fake)).toEqual({});
    expect(fake.issue(1).comments[0]!.body).toContain('looks like a heading of the form');
  });

  it('rejects an issue that was not made with the form', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [{ body: 'Please add me, Anna from Russia', labels: ['signature'], user: anna }],
    });
    await runProcessor(fake, await makeCheckout(fake));
    expect(fake.issue(1).comments[0]!.body).toContain('does not look like it was made with the signing form');
  });

  it('spends no requests on an issue still waiting for its author to fix it, and accepts it once edited', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'Narnia' })],
    });
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    const before = fake.requests.length;
    await runProcessor(fake, checkout);
    const second = fake.requests.slice(before);
    expect(second.filter((r) => /\/issues\/\d+/.test(r.path))).toEqual([]);

    fake.editIssue(1, signBody({ name: 'Anna', country: 'Russia' }));
    const summary = await runProcessor(fake, checkout, { event: issuesEvent('edited', 1) });
    expect(summary.counts.signed).toBe(1);
    expectSignedWithOneReceipt(1);
  });

  it('answers a still-wrong edit again when the edit triggered the run', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'Narnia' })],
    });
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    fake.editIssue(1, signBody({ name: 'Anna', country: 'Gondor' }));
    await runProcessor(fake, checkout, { event: issuesEvent('edited', 1) });
    expect(botComments(1)).toHaveLength(1);
    expect(botComments(1)[0]!.body).toContain('` Gondor `');
  });

  it('accepts a rejected signature its author closed, corrected and reopened, in the run the reopening triggered', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'Narnia' })],
    });
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    expect(fake.issue(1).labels.sort()).toEqual(['rejected', 'signature']);

    // Closed by its author, then corrected while closed: the sweep leaves closed issues alone.
    fake.setIssueState(1, 'closed');
    fake.editIssue(1, signBody({ name: 'Anna', country: 'Russia' }));
    const whileClosed = await runProcessor(fake, checkout);
    expect(whileClosed.actions).toEqual([]);
    expect(fake.issue(1).state).toBe('closed');

    fake.setIssueState(1, 'open');
    const summary = await runProcessor(fake, checkout, { event: issuesEvent('reopened', 1) });
    expect(summary.counts.signed).toBe(1);
    expect(Object.values(signatureFiles(fake))[0]).toContain('country: "RU"');
    expectSignedWithOneReceipt(1);
  });

  it('closes again a signed issue its author reopened, without a second commit or receipt', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' })],
    });
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    const head = fake.headSha();
    const receipt = botComments(1)[0]!;

    fake.setIssueState(1, 'open');
    const summary = await runProcessor(fake, checkout, { event: issuesEvent('reopened', 1) });
    expect(summary.counts.recorded).toBe(1);
    expect(summary.failures).toEqual([]);
    expect(fake.headSha()).toBe(head);
    expect(fake.issue(1).state).toBe('closed');
    expect(fake.issue(1).labels.sort()).toEqual(['signature', 'signed']);
    expect(botComments(1)).toEqual([receipt]);
  });

  it('replaces the one file of an account that signs again', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' })],
    });
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    fake.addIssue(sign(anna, { name: 'Anna Petrova', country: 'RU', reason: 'Corrected my name' }));
    const summary = await runProcessor(fake, checkout);
    expect(summary.counts.updated).toBe(1);
    const files = signatureFiles(fake);
    expect(Object.keys(files)).toHaveLength(1);
    expect(Object.values(files)[0]).toContain('name: "Anna Petrova"');
    expect(fake.commits()[0]!.message).toMatch(/^Update 1 signature/);
    expect(fake.issue(2).comments[0]!.body).toContain('Your signature is updated');
  });

  it('keeps only the newest of two signatures by one account in the same run', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' }), sign(anna, { name: 'Anna K.', country: 'DE' })],
    });
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.counts).toMatchObject({ signed: 1, superseded: 1 });
    expect(Object.values(signatureFiles(fake))[0]).toContain('country: "DE"');
    expect(fake.issue(1).comments[0]!.body).toContain('replaced by your newer issue #2');
    expect(fake.issue(1).state).toBe('closed');
  });

  it('deletes a signature when its own account withdraws it, and not when someone else asks', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' }), sign(wei, { name: 'Wei', country: 'CN' })],
    });
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    fake.addIssue({ body: withdrawBody(), labels: ['withdrawal'], user: anna });
    fake.addIssue({ body: withdrawBody(), labels: ['withdrawal'], user: mallory });
    const summary = await runProcessor(fake, checkout);
    expect(summary.counts).toMatchObject({ withdrawn: 1, 'not-signed': 1 });
    expect(Object.keys(signatureFiles(fake))).toEqual([`signatures/${signatureRelativePath(wei.id)}`]);
    expect(fake.commits()[0]!.message).toMatch(/^Withdraw 1 signature\n\n#3 withdrawal by user 1234567/);
    expect(fake.issue(3).labels.sort()).toEqual(['withdrawal', 'withdrawn']);
    expect(fake.issue(4).comments[0]!.body).toContain('no signature from this GitHub account');
    expect(fake.issue(4).state_reason).toBe('not_planned');
  });

  it('rejects signatures politely once the petition is closed, committing nothing', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' })],
    });
    await runProcessor(fake, await makeCheckout(fake, { closing_date: '2026-11-01' }));
    expect(fake.commits()).toHaveLength(1);
    expect(fake.issue(1).state).toBe('closed');
    expect(fake.issue(1).state_reason).toBe('not_planned');
    expect(fake.issue(1).comments[0]!.body).toContain('This petition is closed');
  });
});

describe('the signature processor under faults', () => {
  it('retries server errors and dropped connections without losing or duplicating anything', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' }), sign(wei, { name: 'Wei', country: 'CN' })],
    });
    fake.inject({ method: 'GET', path: /\/issues$/, status: 502 });
    fake.inject({ method: 'POST', path: /\/git\/trees$/, status: 500 });
    fake.inject({ method: 'POST', path: /\/issues\/1\/comments$/, status: 0, dropConnection: true });
    fake.inject({ method: 'PATCH', path: /\/issues\/2$/, status: 502, beforeHandling: false });
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.failures).toEqual([]);
    expect(Object.keys(signatureFiles(fake))).toHaveLength(2);
    expect(fake.commits()).toHaveLength(2);
    for (const n of [1, 2]) {
      expect(fake.issue(n).state).toBe('closed');
      expect(botComments(n)).toHaveLength(1);
    }
  });

  it('waits out a secondary rate limit with retry-after and carries on', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' })],
    });
    fake.inject(secondaryRateLimit({ method: 'POST', path: /\/comments$/ }, 2));
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.logs.join('\n')).toContain('Secondary rate limit');
    expect(botComments(1)).toHaveLength(1);
    expect(fake.requests.filter((r) => r.status === 403)).toHaveLength(1);
  });

  it('re-reads the branch and retries when someone pushed between its commit and the ref update', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      files: { 'README.md': 'hello' },
      issues: [sign(anna, { name: 'Anna', country: 'RU' })],
    });
    let pushed = false;
    fake.beforeRequest = (method, path) => {
      if (!pushed && method === 'PATCH' && path.includes('/git/refs/heads/main')) {
        pushed = true;
        fake.pushCommit({ 'content/update.md': 'A maintainer edited the content' }, 'Edit content');
      }
    };
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(
      fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/git/refs/') && r.status === 422),
    ).toHaveLength(1);
    expect(summary.logs.join('\n')).toContain('moved while committing');
    const files = fake.files();
    expect(files['content/update.md']).toBe('A maintainer edited the content');
    expect(files[`signatures/${signatureRelativePath(anna.id)}`]).toContain('name: "Anna"');
    expect(fake.commits().map((c) => c.message.split('\n')[0])).toEqual([
      'Add 1 signature',
      'Edit content',
      'Initial commit',
    ]);
  });

  it('decides again against the new head when a maintainer removed a signature during the run, and does not undo the removal', async () => {
    // Anna signed earlier and reopened her issue to change her name; Wei signs for the first time.
    const annaPath = `signatures/${signatureRelativePath(anna.id)}`;
    const annaBefore = renderSignatureFile({
      name: 'Anna',
      country: 'RU',
      login: anna.login,
      user_id: anna.id,
      issue: 1,
      signed_at: '2026-11-20T10:00:00Z',
      letter_sha256: '',
      reason: '',
    });
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      files: { [annaPath]: annaBefore },
      issues: [
        sign(
          anna,
          { name: 'Anna K.', country: 'RU' },
          { created_at: '2026-11-20T10:00:00Z', labels: ['signature', 'signed'], state_reason: 'reopened' },
        ),
        sign(wei, { name: 'Wei', country: 'CN' }),
      ],
    });
    const checkout = await makeCheckout(fake);
    const checkedOut = fake.headSha();
    // `npm run moderate -- remove` pushed at the worst moment: just before the processor moves the branch.
    let pushed = false;
    fake.beforeRequest = (method, path) => {
      if (!pushed && method === 'PATCH' && path.includes('/git/refs/heads/main')) {
        pushed = true;
        fake.pushCommit({ [annaPath]: null }, `Remove the signature of user ${anna.id}\n\nReason: a duplicate`);
      }
    };
    const summary = await runProcessor(fake, checkout, { baseCommit: checkedOut });
    expect(pushed).toBe(true);
    expect(summary.logs.join('\n')).toContain('deciding again');
    const files = fake.files();
    expect(files[annaPath]).toBeUndefined();
    expect(files[`signatures/${signatureRelativePath(wei.id)}`]).toContain('name: "Wei"');
    expect(summary.actions.find((action) => action.issue === 1)?.outcome).toBe('refused');
    expect(fake.commits().map((c) => c.message.split('\n')[0])).toEqual([
      'Add 1 signature',
      `Remove the signature of user ${anna.id}`,
      'Initial commit',
    ]);
  });

  it('decides again when the branch moved between the checkout and the commit', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' })],
    });
    const checkout = await makeCheckout(fake);
    const checkedOut = fake.headSha();
    // A maintainer blocks Anna after the checkout was made, before the processor commits.
    fake.pushCommit(
      { 'content/moderation/blocked-accounts.yml': `- user_id: ${anna.id}\n  reason: spam\n  date: 2026-11-24\n` },
      `Block user ${anna.id}`,
    );
    const summary = await runProcessor(fake, checkout, { baseCommit: checkedOut });
    expect(fake.files()[`signatures/${signatureRelativePath(anna.id)}`]).toBeUndefined();
    expect(summary.actions[0]?.outcome).toBe('refused');
    expect(fake.commits()[0]!.message).toBe(`Block user ${anna.id}`);
  });

  it('finishes the job on the next run when a run died after committing, without a second commit or comment', async () => {
    fake = await startFakeGitHub({
      owner: 'leopards',
      repo: 'petition',
      issues: [sign(anna, { name: 'Anna', country: 'RU' }), sign(wei, { name: 'Wei', country: 'CN' })],
    });
    const checkout = await makeCheckout(fake);
    // Every attempt to close an issue fails, as if the run were killed right after the commit.
    fake.inject({ method: 'PATCH', path: /\/issues\/\d+$/, status: 500, times: 1000 });
    const first = await runProcessor(fake, checkout);
    expect(first.committed).toBe(true);
    expect(first.failures.map((f) => f.issue)).toEqual([1, 2]);
    expect(fake.issues().every((issue) => issue.state === 'open')).toBe(true);
    const commitSha = fake.headSha();

    // The next run starts from a checkout that does not have the commit yet (the worst case).
    fake.clearFaults();
    const second = await runProcessor(fake, checkout);
    expect(second.committed).toBe(false);
    expect(fake.headSha()).toBe(commitSha);
    expect(Object.keys(signatureFiles(fake))).toHaveLength(2);
    for (const n of [1, 2]) {
      expect(fake.issue(n).state).toBe('closed');
      expect(botComments(n)).toHaveLength(1);
      expect(botComments(n)[0]!.body).toContain(`/commit/${commitSha}`);
    }
  });

  it('ends with exactly one file per signer when two runs process the same issues at once', async () => {
    const issues = Array.from({ length: 12 }, (_, i) =>
      sign({ login: `signer${i}`, id: 7000 + i }, { name: `Signer ${i}`, country: 'FR' }),
    );
    fake = await startFakeGitHub({ owner: 'leopards', repo: 'petition', issues, latencyMs: 2 });
    const [first, second] = await Promise.all([
      runProcessor(fake, await makeCheckout(fake)),
      runProcessor(fake, await makeCheckout(fake)),
    ]);
    expect([first, second].flatMap((run) => run.failures)).toEqual([]);
    const files = signatureFiles(fake);
    expect(Object.keys(files)).toHaveLength(12);
    expect(new Set(Object.keys(files)).size).toBe(12);
    expect(fake.commits().filter((commit) => commit.message.startsWith('Add'))).toHaveLength(1);
    expect(fake.issues().every((issue) => issue.state === 'closed' && issue.labels.includes('signed'))).toBe(true);
  });
});
