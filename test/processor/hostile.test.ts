/**
 * The processor against hostile signers, hostile accounts and a GitHub that fails halfway:
 * each case was reproduced on the processor before it was hardened.
 */
import MarkdownIt from 'markdown-it';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BOT_COMMENT_MARKER } from '../../scripts/core/messages.ts';
import { signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { summaryLogLines, summaryMarkdown } from '../../scripts/github/summary.ts';
import { startFakeGitHub, type FakeGitHub, type FakeIssueInput } from '../../scripts/tooling/fake-github/server.ts';
import {
  botCommentsOn,
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
const sign = signIssue;
const start = (issues: FakeIssueInput[], latencyMs?: number) =>
  startFakeGitHub({ owner: 'leopards', repo: 'petition', issues, latencyMs });
const botComments = (n: number) => botCommentsOn(fake, n);
const github = new MarkdownIt({ html: true, linkify: true });

describe('signer text never becomes markup or a workflow command', () => {
  it('quotes a country written as a link with a mention inertly in the rejection', async () => {
    fake = await start([
      sign(anna, { name: 'Anna', country: '[Verify your signature here](https://evil.example) @octocat' }),
    ]);
    await runProcessor(fake, await makeCheckout(fake));
    const html = github.render(botComments(1)[0]!.body);
    expect(html).toContain('could not recognise');
    expect(html).not.toContain('evil.example"');
    expect(html).not.toMatch(/<a [^>]*evil/);
    expect(html).toMatch(/<code>\[Verify your signature here\]\(https:\/\/evil\.example\) @octocat<\/code>/);
  });

  it('logs issues by number and problems by code, never what the signer wrote', async () => {
    const payload = 'Anna\n::error file=x::pwned';
    fake = await start([
      sign(anna, { name: 'Visit https://spam.example', country: '::error ::Atlantis', reason: payload }),
      sign(wei, { name: 'Wei', country: 'CN', reason: payload }),
    ]);
    const summary = await runProcessor(fake, await makeCheckout(fake));
    const printed = [...summary.logs, ...summaryLogLines(summary)].join('\n');
    expect(printed).toContain('#1 rejected (name.url, country.unknown)');
    expect(printed).not.toMatch(/^::/m);
    expect(printed).not.toContain('Atlantis');
    expect(printed).not.toContain('spam');
    const markdown = github.render(summaryMarkdown(summary, REPOSITORY));
    expect(markdown).not.toMatch(/<a [^>]*spam/);
  });
});

describe('partial failures', () => {
  it('tells a signer whose withdrawal was committed before answering failed that it was withdrawn', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    fake.addIssue({ body: withdrawBody(), labels: ['withdrawal'], user: anna });
    fake.inject({ method: 'PATCH', path: /\/issues\/2$/, status: 500, times: 1000 });
    fake.inject({ method: 'POST', path: /\/issues\/2\/comments$/, status: 500, times: 1000 });
    const first = await runProcessor(fake, checkout);
    expect(first.committed).toBe(true);
    expect(first.failures.map((failure) => failure.issue)).toEqual([2]);
    const withdrawal = fake.headSha();

    fake.clearFaults();
    await syncCheckout(fake, checkout); // the next run's fresh checkout: the file is gone
    const second = await runProcessor(fake, checkout);
    expect(second.counts.withdrawn).toBe(1);
    expect(second.publish).toBe(true);
    expect(fake.issue(2).state).toBe('closed');
    expect(fake.issue(2).state_reason).toBe('completed');
    expect(botComments(2)).toHaveLength(1);
    expect(botComments(2)[0]!.body).toContain('Your signature is withdrawn');
    expect(botComments(2)[0]!.body).toContain(`/commit/${withdrawal}`);
    expect(botComments(2)[0]!.body).not.toContain('no signature from this GitHub account');
  });

  it('says at once that a commit must be published, even when every answer after it fails', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    fake.inject({ method: 'PATCH', path: /\/issues\/\d+$/, status: 500, times: 1000 });
    const published: string[] = [];
    const summary = await runProcessor(fake, await makeCheckout(fake), {
      onCommitted: (sha) => void published.push(sha),
    });
    expect(summary.failures).toHaveLength(1);
    expect(published).toEqual([fake.headSha()]);
    expect(summary.publish).toBe(true);
  });

  it('asks to publish again when a later run finishes answering an earlier run’s commit', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    const checkout = await makeCheckout(fake);
    fake.inject({ method: 'PATCH', path: /\/issues\/\d+$/, status: 500, times: 1000 });
    await runProcessor(fake, checkout);
    fake.clearFaults();
    const second = await runProcessor(fake, checkout);
    expect(second.committed).toBe(false);
    expect(second.publish).toBe(true);
    const third = await runProcessor(fake, checkout);
    expect(third.publish).toBe(false);
  });

  it('does not retry a protected branch as a race, answers what needs no commit, and tells the maintainer what to change', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' }), sign(wei, { name: '', country: 'CN' })]);
    fake.protectBranch(true);
    const checkout = await makeCheckout(fake);
    const summary = await runProcessor(fake, checkout);
    expect(fake.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/git/refs/'))).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/git/commits'))).toHaveLength(1);
    expect(summary.refusal).toContain('Protected branch update failed');
    expect(summary.refusal).toContain('Settings → Rules');
    expect(summary.committed).toBe(false);
    expect(fake.issue(1).state).toBe('open');
    expect(botComments(1)).toHaveLength(0);
    expect(botComments(2)[0]!.body).toContain('Your name is empty');

    fake.protectBranch(false);
    const next = await runProcessor(fake, checkout);
    expect(next.counts.signed).toBe(1);
    expect(fake.issue(1).state).toBe('closed');
    expect(botComments(1)).toHaveLength(1);
  });

  it('posts one receipt when GitHub stores a comment but answers 502', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    fake.inject({ method: 'POST', path: /\/issues\/1\/comments$/, status: 502, beforeHandling: false });
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.failures).toEqual([]);
    expect(botComments(1)).toHaveLength(1);
    expect(fake.issue(1).state).toBe('closed');
  });

  it('leaves exactly one receipt on each issue when two runs answer the same issues at once', async () => {
    const issues = Array.from({ length: 20 }, (_, i) =>
      sign({ login: `signer${i}`, id: 7000 + i }, { name: `Signer ${i}`, country: 'FR' }),
    );
    fake = await start(issues, 3);
    const runs = await Promise.all([
      runProcessor(fake, await makeCheckout(fake)),
      runProcessor(fake, await makeCheckout(fake)),
    ]);
    expect(runs.flatMap((run) => run.failures)).toEqual([]);
    for (const issue of fake.issues()) expect(botComments(issue.number)).toHaveLength(1);
  });
});

describe('who may sign, and moderation', () => {
  it('refuses bots, apps and the deleted-user account, committing nothing', async () => {
    fake = await start([
      sign({ login: 'dependabot[bot]', id: 49699333 }, { name: 'Dependabot', country: 'US' }),
      sign({ login: 'ghost', id: 10137 }, { name: 'Ghost', country: 'US' }),
    ]);
    const summary = await runProcessor(fake, await makeCheckout(fake));
    expect(summary.counts.refused).toBe(2);
    expect(signatureFiles(fake)).toEqual({});
    expect(botComments(1)[0]!.body).toContain('Only personal GitHub accounts can sign');
    expect(botComments(2)[0]!.body).toContain('has been deleted');
    for (const n of [1, 2]) expect(fake.issue(n).state_reason).toBe('not_planned');
  });

  it("adds and removes only its own labels, keeping a maintainer's", async () => {
    fake = await start([
      sign(anna, { name: 'Anna', country: 'RU' }, { labels: ['signature', 'needs-review'] }),
      sign(wei, { name: '', country: 'CN' }, { labels: ['signature', 'rejected', 'good first signer'] }),
    ]);
    await runProcessor(fake, await makeCheckout(fake), { event: { action: 'edited', issue: { number: 2 } } });
    expect(fake.issue(1).labels.sort()).toEqual(['needs-review', 'signature', 'signed']);
    expect(fake.issue(2).labels.sort()).toEqual(['good first signer', 'rejected', 'signature']);
  });

  it("refuses a blocked account's new issue neutrally, without its reason", async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    const checkout = await makeCheckout(fake);
    await mkdir(path.join(checkout, 'content/moderation'), { recursive: true });
    await writeFile(
      path.join(checkout, 'content/moderation/blocked-accounts.yml'),
      `- user_id: ${anna.id}\n  login: apetrova\n  reason: Opened forty issues with invented names.\n`,
    );
    const summary = await runProcessor(fake, checkout);
    expect(summary.counts.refused).toBe(1);
    expect(signatureFiles(fake)).toEqual({});
    expect(botComments(1)[0]!.body).toContain('This account cannot sign this petition');
    expect(botComments(1)[0]!.body).not.toContain('invented');
  });

  it('does not sign again when an old signature issue is reopened after a withdrawal', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    fake.addIssue({ body: withdrawBody(), labels: ['withdrawal'], user: anna });
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    expect(signatureFiles(fake)).toEqual({});

    fake.setIssueState(1, 'open');
    const summary = await runProcessor(fake, checkout, { event: { action: 'reopened', issue: { number: 1 } } });
    expect(summary.counts.refused).toBe(1);
    expect(signatureFiles(fake)).toEqual({});
    expect(fake.issue(1).state).toBe('closed');
    expect(botComments(1)).toHaveLength(1);
    expect(botComments(1)[0]!.body).toContain('withdrawn in #2');
  });

  it('does not let an older signature issue, reopened, overwrite a newer signature', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU' })]);
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    fake.addIssue(sign(anna, { name: 'Anna Petrova', country: 'RU' }));
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    fake.setIssueState(1, 'open');
    const summary = await runProcessor(fake, checkout, { event: { action: 'reopened', issue: { number: 1 } } });
    expect(summary.counts.superseded).toBe(1);
    expect(Object.values(signatureFiles(fake))[0]).toContain('name: "Anna Petrova"');
  });
});

describe('withdrawal, told truthfully', () => {
  it("deletes the receipt that repeated the signer's name, country and reason on the original issue", async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'RU', reason: 'For my daughter Masha' })]);
    const checkout = await makeCheckout(fake);
    await runProcessor(fake, checkout);
    await syncCheckout(fake, checkout);
    expect(botComments(1)[0]!.body).toContain('Masha');
    fake.addIssue({ body: withdrawBody(), labels: ['withdrawal'], user: anna });
    await runProcessor(fake, checkout);
    expect(botComments(1)).toEqual([]);
    expect(fake.issue(1).labels.sort()).toEqual(['signature', 'withdrawn']);
    expect(botComments(2)[0]!.body).toContain('receipt on your signature issue #1');
    expect(fake.commits()[0]!.message).toContain(`#2 withdrawal by user ${anna.id} (signature from #1)`);
  });

  it("updates a receipt in place only when the bot wrote it, not a signer's comment that copies the marker", async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'Narnia' })]);
    const checkout = await makeCheckout(fake);
    fake.addComment(1, anna, `${BOT_COMMENT_MARKER}\nI am the bot now`);
    await runProcessor(fake, checkout);
    const comments = fake.issue(1).comments;
    expect(comments[0]!.body).toContain('I am the bot now');
    expect(comments.filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1);
  });
});

describe('the cost of a sweep', () => {
  it('skips an answered issue nobody touched since without parsing it, and re-checks it once it is edited', async () => {
    fake = await start([sign(anna, { name: 'Anna', country: 'Narnia' })]);
    const checkout = await makeCheckout(fake);
    const first = await runProcessor(fake, checkout);
    expect(first.answered['1']).toBe(fake.issue(1).updated_at);

    // Even a body that would now be accepted is not read while the ledger says nothing changed.
    const before = fake.requests.length;
    const second = await runProcessor(fake, checkout, { answered: new Map([[1, fake.issue(1).updated_at]]) });
    expect(second.counts['still-rejected']).toBe(1);
    expect(fake.requests.slice(before).filter((r) => /\/issues\/\d+/.test(r.path))).toEqual([]);

    // Edited, with the run the edit started cancelled: the ledger sees the change anyway.
    fake.editIssue(1, signBody({ name: 'Anna', country: 'Russia' }));
    const third = await runProcessor(fake, checkout, {
      answered: new Map(Object.entries(second.answered).map(([k, v]) => [Number(k), v])),
    });
    expect(third.counts.signed).toBe(1);
    expect(signatureFiles(fake)[`signatures/${signatureRelativePath(anna.id)}`]).toContain('country: "RU"');
  });
});
