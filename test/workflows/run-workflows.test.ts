/**
 * The workflows RUN here: pages.yml, signatures.yml and ci.yml, job by job, with the local runner
 * (scripts/tooling/workflows/) against GitHub on 127.0.0.1 (test/workflows/local-github.ts).
 * The scenarios follow one repository's life and share one set-up, in order.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import webhookFixture from '../fixtures/github-webhooks/examples.json' with { type: 'json' };
import { signIssue } from '../processor/harness.ts';
import {
  deployedTally,
  explain,
  fileHashes,
  referenceBuild,
  siteHolds,
  startLocalGitHub,
  unpackDeployment,
  type LocalGitHub,
} from './local-github.ts';
import type { WorkflowRunResult } from '../../scripts/tooling/workflows/runner.ts';
import { findCacheEntry, restoreScopes, type RunScope } from '../../scripts/tooling/workflows/services.ts';
import { trustedRulesFingerprint } from '../../scripts/store/load-signatures-git.ts';
import { TRUSTED_FORMAT } from '../../scripts/store/load-signatures-git-trusted.ts';
import { projectRoot } from '../helpers/site.ts';

let gh: LocalGitHub;
const started = Date.now();

beforeAll(async () => {
  gh = await startLocalGitHub();
});
afterAll(async () => {
  await gh?.close();
  process.stdout.write(`workflow scenarios took ${Math.round((Date.now() - started) / 1000)} s\n`);
});

const FORGED_NAME = 'Mallory Forged';

/**
 * A store of our builds' records (scripts/store/load-signatures-git-trusted.ts) for the signature
 * files of `commit`, in the format and with the rules fingerprint a build of this tree writes, each
 * record's name replaced by `name`.
 */
async function forgedRecords(commit: string, name: string): Promise<string> {
  const rules = await trustedRulesFingerprint(projectRoot);
  const tree = gh.gitBare(['rev-parse', `${commit}:signatures`]).trim();
  const rows = gh
    .gitBare(['ls-tree', '-r', commit, 'signatures/'])
    .trim()
    .split('\n')
    .map((line) => /^\d+ blob ([0-9a-f]+)\tsignatures\/(.+\/(\d+)\.md)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, blob, file, id]) => {
      const json = JSON.stringify({
        name,
        country: 'RU',
        login: 'apetrova',
        user_id: Number(id),
        issue: 1,
        signed_at: '2026-11-20T10:00:00Z',
        letter_sha256: '',
        reason: '',
      });
      return `${blob} ${file}\njson ${Buffer.byteLength(json)}\0${json}\n`;
    });
  expect(rows).toHaveLength(1);
  return `${JSON.stringify({ format: TRUSTED_FORMAT, rules, commit, tree })}\n${rows.join('')}`;
}

const jobsOf = (run: WorkflowRunResult) => Object.fromEntries(run.jobs.map((job) => [job.name, job]));
const logOf = (run: WorkflowRunResult) => run.log.join('\n');

/** A real `issues` webhook payload (opened), carrying this repository's issue. */
function issuesOpenedPayload(issue: {
  number: number;
  title: string;
  body: string;
  user: { login: string; id: number };
}) {
  const example = webhookFixture.events
    .find((event) => event.name === 'issues')!
    .examples.find((candidate) => (candidate as { action?: string }).action === 'opened')! as Record<string, any>;
  const payload = JSON.parse(JSON.stringify(example)) as Record<string, any>;
  payload.issue = {
    ...payload.issue,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    user: { ...payload.issue.user, login: issue.user.login, id: issue.user.id },
    labels: [{ ...(payload.issue.labels?.[0] ?? {}), name: 'signature' }],
  };
  payload.repository = {
    ...payload.repository,
    full_name: 'leopards/petition',
    name: 'petition',
    default_branch: 'main',
  };
  return payload;
}

describe('the workflows, run locally against GitHub on 127.0.0.1', () => {
  let firstRun: WorkflowRunResult;

  it('a fresh template deploys, on its first Pages run without a cache, exactly what npm run build makes of the same commit', async () => {
    firstRun = await gh.run({
      workflow: '.github/workflows/pages.yml',
      event: {
        name: 'workflow_dispatch',
        payload: { inputs: {}, ref: 'refs/heads/main', repository: { default_branch: 'main' } },
      },
    });
    expect(firstRun.error, explain(firstRun)).toBeUndefined();
    expect(firstRun.result).toBe('success');
    firstRunId = gh.api.workflowRuns.at(-1)!.id;
    const jobs = jobsOf(firstRun);
    expect(jobs.build!.result).toBe('success');
    expect(jobs.deploy!.result).toBe('success');
    expect(jobs.deploy!.outputs).toEqual({});
    expect(gh.services.deployments).toHaveLength(1);
    // No cache before the first run; the build saved one, in main's scope.
    expect(logOf(firstRun)).toMatch(/Cache not found for input keys: petition-signature-files-/);
    expect(gh.services.cacheEntries.map((entry) => [entry.key.slice(0, 25), entry.scope])).toEqual([
      ['petition-signature-files-', 'refs/heads/main'],
    ]);
    // Every uses: step says what ran.
    expect(firstRun.uses.map((use) => use.uses.split('@')[0])).toEqual([
      'actions/checkout',
      'actions/setup-node',
      'actions/configure-pages',
      'actions/cache/restore',
      'actions/upload-artifact',
      'actions/cache/save',
      'actions/upload-pages-artifact',
      'actions/upload-artifact',
      'actions/deploy-pages',
    ]);
    // No run before it kept records; the build uploaded its own for the next.
    expect(logOf(firstRun)).toContain('No records of our own builds to start from');
    expect([...gh.services.artifacts.keys()]).toContain(`${gh.api.workflowRuns.at(-1)!.id}/petition-records`);

    for (const use of firstRun.uses)
      expect(logOf(firstRun)).toContain(`${use.uses} runs ${use.mode === 'real' ? 'its REAL code' : 'our STAND-IN'}`);

    // The same commit, built by hand with the same address.
    const reference = referenceBuild(gh, 'first');
    const deployed = unpackDeployment(gh, gh.services.deployments.at(-1)!, 'first');
    expect(fileHashes(deployed)).toEqual(fileHashes(reference));
    expect(deployedTally(deployed).signature_count).toBe(0);
  }, 600_000);

  let signRun: WorkflowRunResult;
  let firstRunId: number;

  it("a signature issue makes signatures.yml commit one signature through the API and deploy the new count, built from the new branch head with the earlier build's records", async () => {
    const before = gh.gitBare(['rev-parse', 'refs/heads/main']).trim();
    const issue = gh.api.addIssue(
      signIssue({ login: 'apetrova', id: 1234567 }, { name: 'Anna P.', country: 'Россия' }),
    );
    signRun = await gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: { name: 'issues', payload: issuesOpenedPayload(issue) },
      sha: before,
      // The next scenario checks this install; later runs link its shared result (local-github.ts).
      realProcessorInstall: true,
    });
    expect(signRun.error, explain(signRun)).toBeUndefined();
    const jobs = jobsOf(signRun);
    expect(jobs.process!.result).toBe('success');
    expect(jobs.process!.outputs).toMatchObject({ committed: 'true', publish: 'true' });

    // One commit, through the API, into the real repository, holding one signature file.
    const after = gh.gitBare(['rev-parse', 'refs/heads/main']).trim();
    expect(gh.gitBare(['rev-list', '--count', `${before}..${after}`]).trim()).toBe('1');
    const changed = gh.gitBare(['diff', '--name-only', before, after]).trim().split('\n');
    expect(changed).toEqual([expect.stringMatching(/^signatures\/.+\/1234567\.md$/)]);

    // The deploy job called pages.yml, which checked out the branch head, not the event's commit.
    expect(jobs['deploy/build']!.result).toBe('success');
    expect(jobs['deploy/deploy']!.result).toBe('success');
    const checkout = jobs['deploy/build']!.workspace!;
    expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: checkout, encoding: 'utf8' }).trim()).toBe(after);
    // It took the records the first run's build kept (from its artifact), so restored no record
    // cache; they held no signature yet, so the one new file was read and a cache saved with it.
    expect(logOf(signRun)).toContain(`Records of our own build restored from run ${firstRunId}`);
    expect(logOf(signRun)).toMatch(
      /Signatures read through git: 0 from our last build's records, 0 from the record cache, 1 read/,
    );
    const build = jobs['deploy/build']!.steps;
    expect(build.find((step) => step.name.startsWith('actions/cache/restore'))?.outcome).toBe('skipped');
    expect(gh.services.deployments).toHaveLength(2);
    expect(deployedTally(unpackDeployment(gh, gh.services.deployments.at(-1)!, 'signed')).signature_count).toBe(1);
  }, 600_000);

  it('the processor job installs with npm ci --omit=dev --ignore-scripts from the npm cache, offline, and still runs', () => {
    const process = jobsOf(signRun).process!;
    const install = process.steps.find((step) => step.name.startsWith('run: npm ci --omit=dev'));
    expect(install?.outcome).toBe('success');
    expect(logOf(signRun)).not.toMatch(/job process, step "run: npm ci[^"]*": run: script replaced/);
    const modules = path.join(process.workspace!, 'node_modules');
    expect(statSync(path.join(modules, 'tsx')).isDirectory()).toBe(true);
    // No dev dependency reached the job that holds a write token.
    expect(() => statSync(path.join(modules, 'vitest'))).toThrow();
    expect(() => statSync(path.join(modules, '@11ty'))).toThrow();
    expect(process.steps.find((step) => step.id === 'process')?.outcome).toBe('success');
  });

  it('a second processor run with nothing new commits nothing and deploys nothing', async () => {
    const before = gh.gitBare(['rev-parse', 'refs/heads/main']).trim();
    const deployments = gh.services.deployments.length;
    const run = await gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: { name: 'schedule', payload: { schedule: '7,22,37,52 * * * *' } },
    });
    expect(run.error, explain(run)).toBeUndefined();
    const jobs = jobsOf(run);
    expect(jobs.process!.result).toBe('success');
    expect(jobs.process!.outputs.committed).not.toBe('true');
    expect(jobs.process!.outputs.publish).not.toBe('true');
    expect(jobs.deploy!.result).toBe('skipped');
    expect(gh.gitBare(['rev-parse', 'refs/heads/main']).trim()).toBe(before);
    expect(gh.services.deployments).toHaveLength(deployments);
  }, 600_000);

  it("a fork's pull request runs ci.yml with a read-only token and no secrets; the cache entry it saves stays in the pull request's scope and the records it uploads are passed over, so main's next Pages build publishes neither", async () => {
    // The pull request's merge commit: the real ci.yml, plus steps a fork added to poison the
    // record cache main's Pages build restores by prefix (newest first) and to read a secret.
    const base = gh.gitBare(['rev-parse', 'refs/heads/main']).trim();
    const work = path.join(gh.root, 'fork');
    execFileSync('git', ['clone', '-q', gh.bareRepo, work]);
    const ci = path.join(work, '.github/workflows/ci.yml');
    writeFileSync(
      ci,
      `${readFileSync(ci, 'utf8')}${[
        '      - name: Poison the record cache',
        `        run: mkdir -p .petition-cache && echo '{"poisoned":true}' > .petition-cache/records.ndjson`,
        '      - uses: actions/cache/save@668228422ae6a00e4ad889ee87cd7109ec5666a7 # v5.0.4',
        '        with:',
        '          path: .petition-cache',
        '          key: petition-signature-files-fork',
        // Records for main's real signature under another name, with the format and rules our
        // builds write: taken as ours, they would publish that name.
        '      - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2',
        '        with:',
        '          name: petition-records',
        '          path: forged/records.ndjson',
        '      - name: Look for a secret',
        '        run: |',
        '          echo "app key: [${APP_KEY}]" >> "$GITHUB_STEP_SUMMARY"',
        '        env:',
        '          APP_KEY: ${{ secrets.PETITION_APP_PRIVATE_KEY }}',
      ].join('\n')}\n`,
    );
    mkdirSync(path.join(work, 'forged'));
    writeFileSync(path.join(work, 'forged/records.ndjson'), await forgedRecords(base, FORGED_NAME));
    execFileSync('git', ['add', 'forged'], { cwd: work });
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'Mallory',
      GIT_AUTHOR_EMAIL: 'm@example.com',
      GIT_COMMITTER_NAME: 'Mallory',
      GIT_COMMITTER_EMAIL: 'm@example.com',
    };
    execFileSync('git', ['commit', '-qam', 'Improve CI'], { cwd: work, env });
    execFileSync('git', ['push', '-q', gh.bareRepo, 'HEAD:refs/pull/7/merge'], { cwd: work });
    const merge = gh.gitBare(['rev-parse', 'refs/pull/7/merge']).trim();

    const run = await gh.run({
      workflow: '.github/workflows/ci.yml',
      event: {
        name: 'pull_request',
        payload: {
          action: 'opened',
          number: 7,
          pull_request: {
            number: 7,
            head: { ref: 'main', sha: merge, repo: { full_name: 'mallory/petition', fork: true } },
            base: { ref: 'main', sha: base, repo: { full_name: 'leopards/petition', fork: false } },
          },
          repository: { full_name: 'leopards/petition', default_branch: 'main' },
        },
      },
      ref: 'refs/pull/7/merge',
      sha: merge,
      baseRef: 'main',
      // The fork's own main: its runs are listed on branch main too, beside ours.
      headRef: 'main',
      fromFork: true,
      secrets: { PETITION_APP_PRIVATE_KEY: 'not-for-forks' },
      // One Node of the matrix is enough here; and not the whole suite inside a test, nor the
      // typecheck, lint and format check of the whole tree (one file stands for it: the tools run
      // for real in the job, with the job's token and install; the whole tree is CI's own check),
      // nor a build the first scenario made (documented overrides).
      matrixFilter: (matrix) => matrix.node !== '20.19',
      stepOverrides: {
        'check\nnpm test': 'npx vitest run test/unit/countries.test.ts',
        'check\nnpm run lint': 'npx eslint scripts/tooling/workflows/local.ts',
        'check\nnpm run format:check': 'npx prettier --check scripts/tooling/workflows/local.ts',
        'check\nnpm run typecheck': 'echo "typecheck: npm run typecheck checks this tree outside the scenario"',
        'check\nnpm run build': 'echo "build: made by the first scenario"',
      },
    });
    expect(run.error, explain(run)).toBeUndefined();
    const check = run.jobs.find((job) => job.name.startsWith('check'))!;
    expect(check.result).toBe('success');
    expect(check.permissions).toEqual({ contents: 'read' });
    expect(check.writeToken).toBe(false);
    expect(check.secretNames).toEqual(['GITHUB_TOKEN']);
    expect(check.summary).toContain('app key: []');

    const poisoned = gh.services.cacheEntries.find((entry) => entry.key.endsWith('-fork'))!;
    expect(poisoned.scope).toBe('refs/pull/7/merge');
    expect(poisoned.savedBy.ref).toBe('refs/pull/7/merge');

    const forkRunId = gh.api.workflowRuns.at(-1)!.id;
    expect(gh.services.artifacts.has(`${forkRunId}/petition-records`)).toBe(true);

    // Main's next Pages build restores main's newest records, never the fork's newer entry, and
    // the records of main's last build, never the fork's newer artifact.
    const pages = await gh.run({
      workflow: '.github/workflows/pages.yml',
      event: { name: 'push', payload: { ref: 'refs/heads/main', after: base } },
    });
    expect(pages.error, explain(pages)).toBeUndefined();
    // Our records served it, so it neither restored nor saved a cache; had it restored one, main's
    // scope holds main's entries only.
    const steps = jobsOf(pages).build!.steps;
    expect(steps.find((step) => step.name.startsWith('actions/cache/restore'))?.outcome).toBe('skipped');
    expect(steps.find((step) => step.name.startsWith('actions/cache/save'))?.outcome).toBe('skipped');
    const mainScopes = restoreScopes({ ref: 'refs/heads/main', defaultRef: 'refs/heads/main' } as RunScope);
    const restorable = findCacheEntry(
      gh.services.cacheEntries,
      mainScopes,
      `petition-signature-files-${base}`,
      ['petition-signature-files-'],
      poisoned.version,
    );
    expect(restorable?.key).toMatch(/^petition-signature-files-[0-9a-f]{40}$/);
    expect(restorable?.key).not.toBe(poisoned.key);
    const deployed = unpackDeployment(gh, gh.services.deployments.at(-1)!, 'after-fork');
    expect(deployedTally(deployed).signature_count).toBe(1);
    expect(logOf(pages)).toMatch(/Records of our own build restored from run \d+/);
    expect(logOf(pages)).not.toContain(`restored from run ${forkRunId}`);
    expect(logOf(pages)).toContain("1 from our last build's records");
    expect(siteHolds(deployed, 'Anna P.')).toBe(true);
    expect(siteHolds(deployed, FORGED_NAME)).toBe(false);
  }, 600_000);
});
