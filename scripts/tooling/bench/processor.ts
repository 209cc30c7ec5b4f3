/**
 * The processor half of `npm run bench`: the real processor (scripts/github/processor.ts)
 * against the tests' fake GitHub, which runs in a child process so that process.cpuUsage() here
 * counts the processor (and its HTTP client) only. Many open signature issues, some invalid,
 * some accounts signing twice; then requests, commits, CPU per issue, and a check that every
 * issue was handled exactly once and every signer has exactly one file.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { countryName } from '../../core/countries.ts';
import { BOT_COMMENT_MARKER } from '../../core/messages.ts';
import { formFieldsFromTemplate, parseIssueForm, renderIssueForm } from '../../core/issue-form.ts';
import { generateSampleRecords } from '../../core/sample-signatures.ts';
import { parseSignatureFile, renderSignatureFile, signatureRelativePath } from '../../core/signature-file.ts';
import { validateSignature } from '../../core/validate-signature.ts';
import { createClient } from '../../github/client.ts';
import { processSignatures, type RunSummary } from '../../github/processor.ts';
import { writeSignatureFiles } from '../write-sample-signatures.ts';
import type { FakeIssueInput } from '../fake-github/server.ts';
import type { ChildReply, ChildRequest, FakeState } from './fake-github-child.ts';
import { projectRoot } from './build.ts';

const OWNER = 'bench';
const REPO = 'petition';
const NOW = new Date('2026-11-24T12:00:00Z');

export interface ProcessorScenario {
  /** Distinct accounts with a valid signature issue. */
  signers: number;
  /** Accounts whose issue has a problem (placeholder name, unknown country, no consent, …). */
  invalid: number;
  /** Signers who open a second, later signature issue (the later one counts). */
  duplicates: number;
  /** Signature files already in the repository before the run. */
  existing: number;
}

export interface ProcessorResult {
  issues: number;
  accepted: number;
  counts: RunSummary['counts'];
  requests: number;
  /** Requests addressed to the accepted signers' issues (comment, close). */
  onAccepted: number;
  /** Requests addressed to other issues (rejected, superseded). */
  onOthers: number;
  otherIssues: number;
  /** Requests not about one issue: labels, listings, the commit. */
  perRun: number;
  /** Of those, pages of the open-issue listings (100 issues a page). */
  listingPages: number;
  commits: number;
  cpuMs: number;
  /**
   * CPU per request of the HTTP client alone (Octokit with its pacing and retry hook, on
   * undici), measured after the run with the same client on the same fake: reads and no-op
   * updates of the accepted issues.
   */
  clientCpuPerRequestMs: number;
  wallMs: number;
  /** GET requests for git trees or directory contents: listing the repository through the API. */
  treeListings: number;
  problems: string[];
}

interface PlannedIssue {
  input: FakeIssueInput;
  /** What the issue should end as. */
  expect: 'signed' | 'rejected' | 'superseded';
}

/** The scenario's issues, as GitHub renders the signing form, oldest first. */
async function planIssues(scenario: ProcessorScenario, existingIds: Set<number>): Promise<PlannedIssue[]> {
  const template = YAML.parse(await readFile(path.join(projectRoot, '.github/ISSUE_TEMPLATE/sign.yml'), 'utf8'));
  const fields = formFieldsFromTemplate(template);
  const body = (values: { name: string; country: string; reason?: string; consent?: boolean }) =>
    renderIssueForm(fields, {
      name: values.name,
      country: values.country,
      reason: values.reason ?? '',
      consent: [values.consent ?? true],
    });
  // Countries typed the ways people type them: a code, an English name, a lower-case code.
  const typed = (code: string, i: number) => [code, countryName(code), code.toLowerCase()][i % 3]!;

  const signers: Array<{ login: string; id: number; body: string }> = [];
  for (const record of generateSampleRecords(scenario.signers * 2, { seed: 11 })) {
    if (signers.length === scenario.signers) break;
    if (existingIds.has(record.user_id)) continue;
    const text = body({ name: record.name, country: typed(record.country, signers.length), reason: record.reason });
    const parsed = parseIssueForm(text, fields);
    // A sample that breaks a rule (none should, but the generator is not the validator) is left out.
    if (!parsed.ok || !validateSignature(parsed.values).ok) continue;
    signers.push({ login: record.login, id: record.user_id, body: text });
  }
  const mistakes = [
    { name: 'Your Name Here', country: 'DE' },
    { name: 'Visit https://spam.example', country: 'FR' },
    { name: 'Anna', country: 'Atlantis' },
    { name: 'Olga', country: 'RU', consent: false },
    { name: '', country: 'CN' },
    { name: '=cmd|calc', country: 'US' },
  ];
  const planned: PlannedIssue[] = signers.map((signer) => ({
    input: { body: signer.body, labels: ['signature'], user: { login: signer.login, id: signer.id } },
    expect: 'signed',
  }));
  // Mistakes spread among the signatures, each from its own account.
  for (let i = 0; i < scenario.invalid; i += 1) {
    const at = Math.floor(((i + 0.5) * planned.length) / Math.max(1, scenario.invalid));
    planned.splice(at, 0, {
      input: {
        body: body(mistakes[i % mistakes.length]!),
        labels: ['signature'],
        user: { login: `typo-${i}`, id: 900_000_000 + i },
      },
      expect: 'rejected',
    });
  }
  // Second thoughts: some signers sign again later with another name; the first issue is superseded.
  const step = Math.max(1, Math.floor(signers.length / Math.max(1, scenario.duplicates)));
  for (let i = 0; i < scenario.duplicates && i * step < signers.length; i += 1) {
    const signer = signers[i * step]!;
    const original = planned.find((issue) => issue.input.user.id === signer.id)!;
    original.expect = 'superseded';
    planned.push({
      input: {
        body: body({ name: `Second Thoughts ${i}`, country: 'DE', reason: 'Signing again with my full name.' }),
        labels: ['signature'],
        user: { login: signer.login, id: signer.id },
      },
      expect: 'signed',
    });
  }
  planned.forEach((issue, i) => {
    issue.input.number = i + 1;
    issue.input.created_at = new Date(NOW.getTime() - (planned.length - i) * 60_000)
      .toISOString()
      .replace('.000Z', 'Z');
  });
  return planned;
}

/** The fake GitHub in a child process. */
class FakeGitHubProcess {
  private readonly child: ChildProcess;
  readonly baseUrl: string;

  private constructor(child: ChildProcess, baseUrl: string) {
    this.child = child;
    this.baseUrl = baseUrl;
  }

  static async start(options: Extract<ChildRequest, { type: 'start' }>['options']): Promise<FakeGitHubProcess> {
    const child = fork(path.join(projectRoot, 'scripts/tooling/bench/fake-github-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    const reply = await FakeGitHubProcess.ask(child, { type: 'start', options });
    if (reply.type !== 'started') throw new Error('The fake GitHub did not start.');
    return new FakeGitHubProcess(child, reply.baseUrl);
  }

  private static ask(child: ChildProcess, request: ChildRequest): Promise<ChildReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildReply) => {
        child.off('exit', onExit);
        if (message.type === 'error') reject(new Error(`fake GitHub: ${message.message}`));
        else resolve(message);
      };
      const onExit = (code: number | null) => reject(new Error(`The fake GitHub exited (${code}).`));
      child.once('message', onMessage);
      child.once('exit', onExit);
      child.send(request);
    });
  }

  async state(): Promise<FakeState> {
    const reply = await FakeGitHubProcess.ask(this.child, { type: 'state' });
    if (reply.type !== 'state') throw new Error('Unexpected answer from the fake GitHub.');
    return reply.state;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ type: 'close' } satisfies ChildRequest);
    });
  }
}

/** A checkout as actions/checkout makes it: settings, issue templates, the letter, signatures/. */
async function makeCheckout(
  existing: ReturnType<typeof generateSampleRecords>,
  settings: Record<string, unknown>,
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-checkout-'));
  await mkdir(path.join(dir, 'content'), { recursive: true });
  await cp(path.join(projectRoot, '.github/ISSUE_TEMPLATE'), path.join(dir, '.github/ISSUE_TEMPLATE'), {
    recursive: true,
  });
  await cp(path.join(projectRoot, 'content/letter.md'), path.join(dir, 'content/letter.md'));
  await cp(path.join(projectRoot, 'content/i18n'), path.join(dir, 'content/i18n'), { recursive: true });
  const base = JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8'));
  await writeFile(
    path.join(dir, 'content/settings.json'),
    JSON.stringify({ ...base, repository: `${OWNER}/${REPO}`, state: 'open', closing_date: '2027-06-30', ...settings }),
  );
  await mkdir(path.join(dir, 'signatures'), { recursive: true });
  await writeSignatureFiles(path.join(dir, 'signatures'), existing);
  return dir;
}

const ISSUE_PATH = new RegExp(`^/repos/${OWNER}/${REPO}/issues/(\\d+)(?:/comments)?$`);

/** Runs one sweep over the scenario and checks the outcome. */
export async function measureProcessor(
  scenario: ProcessorScenario,
  { thankYouComments }: { thankYouComments: boolean },
): Promise<ProcessorResult> {
  const existing = generateSampleRecords(scenario.existing, { seed: 99 });
  const existingIds = new Set(existing.map((record) => record.user_id));
  const planned = await planIssues(scenario, existingIds);
  const fake = await FakeGitHubProcess.start({
    owner: OWNER,
    repo: REPO,
    files: Object.fromEntries(
      existing.map((record) => [`signatures/${signatureRelativePath(record.user_id)}`, renderSignatureFile(record)]),
    ),
    issues: planned.map((issue) => issue.input),
    // GITHUB_TOKEN's real budget is 1,000 requests an hour; here the run must not wait for it
    // (the benchmark reports what the budget allows instead).
    rateLimit: 10_000_000,
  });
  const checkout = await makeCheckout(existing, { thank_you_comments: thankYouComments });
  try {
    const before = await fake.state();
    let requests = 0;
    const logs: string[] = [];
    const octokit = createClient({
      baseUrl: fake.baseUrl,
      token: 'bench-token',
      writeIntervalMs: 0,
      retryTimeUnitMs: 10,
      log: (message) => logs.push(message),
      onRequest: () => (requests += 1),
    });
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const summary = await processSignatures(
      {
        octokit,
        repository: `${OWNER}/${REPO}`,
        branch: 'main',
        checkoutDir: checkout,
        now: () => NOW,
        log: (message) => logs.push(message),
        sleep: async () => {},
      },
      () => requests,
    );
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await fake.state();

    const sample = summary.actions
      .filter((action) => action.outcome === 'signed')
      .slice(0, 100)
      .map((action) => action.issue);
    const calibrationBefore = process.cpuUsage();
    for (const issue_number of sample) {
      await octokit.rest.issues.get({ owner: OWNER, repo: REPO, issue_number });
      await octokit.rest.issues.update({ owner: OWNER, repo: REPO, issue_number, labels: ['signature', 'signed'] });
    }
    const calibration = process.cpuUsage(calibrationBefore);
    const clientCpuPerRequestMs = (calibration.user + calibration.system) / 1000 / Math.max(1, sample.length * 2);

    const accepted = new Set(
      summary.actions
        .filter((action) => action.outcome === 'signed' || action.outcome === 'updated')
        .map((a) => a.issue),
    );
    let onAccepted = 0;
    let onOthers = 0;
    const patches = new Map<number, number>();
    const runRequests = after.requests.slice(before.requests.length);
    for (const request of runRequests) {
      const match = ISSUE_PATH.exec(request.path.split('?')[0]!);
      if (!match) continue;
      const number = Number(match[1]);
      if (accepted.has(number)) onAccepted += 1;
      else onOthers += 1;
      if (request.method === 'PATCH') patches.set(number, (patches.get(number) ?? 0) + 1);
    }
    const listingPages = runRequests.filter(
      (request) => request.method === 'GET' && request.path.split('?')[0] === `/repos/${OWNER}/${REPO}/issues`,
    ).length;
    const treeListings = runRequests.filter(
      (request) => request.method === 'GET' && /\/git\/trees\/|\/contents\/signatures\/?(?:\?|$)/.test(request.path),
    ).length;

    // Every issue handled once, as planned; one file per signer, from the signer's latest issue.
    const problems: string[] = [];
    const byNumber = new Map(after.issues.map((issue) => [issue.number, issue]));
    const latestIssue = new Map<number, number>();
    for (const issue of planned) {
      const number = issue.input.number!;
      const state = byNumber.get(number)!;
      const outcome = summary.actions.find((action) => action.issue === number)?.outcome;
      const botComments = state.comments.filter((body) => body.startsWith(BOT_COMMENT_MARKER)).length;
      const wantComment = issue.expect !== 'signed' || thankYouComments ? 1 : 0;
      const wantState = issue.expect === 'rejected' ? 'open' : 'closed';
      if (outcome !== issue.expect) problems.push(`#${number}: ${outcome ?? 'not handled'}, expected ${issue.expect}`);
      if ((patches.get(number) ?? 0) !== 1) problems.push(`#${number}: updated ${patches.get(number) ?? 0} times`);
      if (botComments !== wantComment)
        problems.push(`#${number}: ${botComments} bot comments, expected ${wantComment}`);
      if (state.state !== wantState) problems.push(`#${number}: ${state.state}, expected ${wantState}`);
      if (issue.expect === 'signed') latestIssue.set(issue.input.user.id, number);
    }
    const files = Object.entries(after.files);
    if (files.length !== existing.length + latestIssue.size)
      problems.push(`${files.length} signature files, expected ${existing.length + latestIssue.size}`);
    for (const [userId, number] of latestIssue) {
      const file = `signatures/${signatureRelativePath(userId)}`;
      const parsed = after.files[file]
        ? parseSignatureFile(after.files[file], signatureRelativePath(userId))
        : undefined;
      if (!parsed?.ok || parsed.record.issue !== number) problems.push(`${file}: missing or not from issue #${number}`);
    }
    if (summary.failures.length > 0) problems.push(`failures: ${summary.failures.map((f) => f.error).join('; ')}`);

    return {
      issues: planned.length,
      accepted: accepted.size,
      counts: summary.counts,
      requests: runRequests.length,
      onAccepted,
      onOthers,
      otherIssues: planned.length - accepted.size,
      perRun: runRequests.length - onAccepted - onOthers,
      listingPages,
      commits: after.commits - before.commits,
      cpuMs: (cpu.user + cpu.system) / 1000,
      clientCpuPerRequestMs,
      wallMs,
      treeListings,
      problems:
        requests === runRequests.length + sample.length * 2
          ? problems
          : [...problems, `client counted ${requests - sample.length * 2} requests, the fake ${runRequests.length}`],
    };
  } finally {
    await fake.close();
    await rm(checkout, { recursive: true, force: true });
  }
}
