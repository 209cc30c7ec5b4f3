/**
 * The protections of issue #26, RUN: each scenario makes the workflow runs an attack or an
 * accident makes on GitHub (scripts/tooling/workflows/ against GitHub on 127.0.0.1), and checks
 * what is committed and published. One template repository and one install for all; in order.
 *
 * SECURITY_SCENARIOS_WORKFLOWS_FROM=<commit> runs the same scenarios against pages.yml and
 * signatures.yml as they were at that commit (7654d71: before #26), to show each scenario fails
 * there; the default is the working tree's workflows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIssue } from '../processor/harness.ts';
import {
  deployedTally,
  explain,
  fileHashes,
  startLocalGitHub,
  unpackDeployment,
  writeText,
  type LocalGitHub,
} from './local-github.ts';
import type { WorkflowRunResult } from '../../scripts/tooling/workflows/runner.ts';
import { projectRoot } from '../helpers/site.ts';

const OLD_WORKFLOWS = process.env.SECURITY_SCENARIOS_WORKFLOWS_FROM;

let gh: LocalGitHub;
let work: string;
const started = Date.now();

beforeAll(async () => {
  gh = await startLocalGitHub({
    editTemplate: OLD_WORKFLOWS
      ? (dir) => {
          for (const file of ['.github/workflows/pages.yml', '.github/workflows/signatures.yml'])
            writeFileSync(
              path.join(dir, file),
              execFileSync('git', ['show', `${OLD_WORKFLOWS}:${file}`], { cwd: projectRoot }),
            );
        }
      : undefined,
  });
  work = path.join(gh.root, 'campaigner');
  execFileSync('git', ['clone', '-q', gh.bareRepo, work]);
}, 120_000);
afterAll(async () => {
  await gh?.close();
  process.stdout.write(`security scenarios took ${Math.round((Date.now() - started) / 1000)} s\n`);
});

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Campaigner',
  GIT_AUTHOR_EMAIL: 'campaigner@example.com',
  GIT_COMMITTER_NAME: 'Campaigner',
  GIT_COMMITTER_EMAIL: 'campaigner@example.com',
};

/** Commits files (null deletes) on top of main and pushes to `ref`; answers the new commit. */
function commit(files: Record<string, string | null>, message: string, ref = 'refs/heads/main'): string {
  const git = (args: string[]) =>
    execFileSync('git', args, { cwd: work, encoding: 'utf8', env: { ...process.env, ...AUTHOR } }).trim();
  git(['fetch', '-q', 'origin', '+refs/heads/main:refs/remotes/origin/main']);
  git(['checkout', '-q', '--detach', 'origin/main']);
  for (const [file, text] of Object.entries(files)) {
    if (text === null) rmSync(path.join(work, file), { force: true });
    else writeText(path.join(work, file), text);
  }
  git(['add', '-A']);
  git(['commit', '-q', '-m', message]);
  git(['push', '-q', 'origin', `HEAD:${ref}`]);
  return git(['rev-parse', 'HEAD']);
}

/** A signature file as the processor writes it, for user `id` (sharded by its last digits). */
function signatureFile(id: number, login: string, name: string): [string, string] {
  const digits = String(id);
  const file = `signatures/${digits.slice(-2)}/${digits.slice(-4, -2)}/${digits}.md`;
  const text = readFileSync(path.join(projectRoot, 'test/fixtures/signatures/one/67/45/1234567.md'), 'utf8')
    .replace('"Анна Петрова"', JSON.stringify(name))
    .replace('"apetrova"', JSON.stringify(login))
    .replace('user_id: 1234567', `user_id: ${id}`);
  return [file, text];
}

const inSignatures = (file: string) => file.replace(/^signatures\//, '');
const head = () => gh.gitBare(['rev-parse', 'refs/heads/main']).trim();
const jobsOf = (run: WorkflowRunResult) => Object.fromEntries(run.jobs.map((job) => [job.name, job]));
const logOf = (run: WorkflowRunResult) => run.log.join('\n');
const pushEvent = (after: string) => ({
  name: 'push',
  payload: { ref: 'refs/heads/main', after, repository: { full_name: 'leopards/petition', default_branch: 'main' } },
});

/** Unpacks a deployment's artifact into a fresh folder. */

describe('what the #26 protections do when the workflows run', () => {
  it('a manual run of signatures.yml on a feature branch runs no job and commits nothing, even with a signature waiting', async () => {
    gh.api.addIssue(signIssue({ login: 'apetrova', id: 1234567 }, { name: 'Anna P.', country: 'Россия' }));
    const main = head();
    const feature = commit({ 'content/feature-note.md': 'A draft.\n' }, 'A feature', 'refs/heads/feature');
    const run = await gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: {
        name: 'workflow_dispatch',
        payload: { inputs: {}, ref: 'refs/heads/feature', repository: { default_branch: 'main' } },
      },
      ref: 'refs/heads/feature',
      sha: feature,
    });
    expect(run.error, explain(run)).toBeUndefined();
    expect(run.jobs.map((job) => [job.name, job.result])).toEqual([
      ['process', 'skipped'],
      ['deploy', 'skipped'],
    ]);
    expect(gh.gitBare(['rev-parse', 'refs/heads/feature']).trim()).toBe(feature);
    expect(head()).toBe(main);
  }, 300_000);

  it('an edit to a closed signature issue starts no processor job', async () => {
    const closed = gh.api.addIssue(
      signIssue({ login: 'closer', id: 2345678 }, { name: 'C. Loser', country: 'Россия' }, { state: 'closed' }),
    );
    const run = await gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: {
        name: 'issues',
        payload: {
          action: 'edited',
          issue: {
            number: closed.number,
            title: closed.title,
            body: closed.body,
            state: 'closed',
            user: { login: 'closer', id: 2345678 },
            labels: [{ name: 'signature' }],
          },
          repository: { full_name: 'leopards/petition', default_branch: 'main' },
        },
      },
    });
    expect(run.error, explain(run)).toBeUndefined();
    expect(jobsOf(run).process!.result).toBe('skipped');
    expect(jobsOf(run).deploy!.result).toBe('skipped');
  }, 300_000);

  it('when a push lands while a Pages build runs, the older build finishing last does not deploy: the newer commit is what is published', async () => {
    const older = head();
    const deploymentsBefore = gh.services.deployments.length;
    let newer = '';
    let newerRun: WorkflowRunResult | undefined;
    const olderRun = await gh.run({
      workflow: '.github/workflows/pages.yml',
      event: pushEvent(older),
      sha: older,
      // Between the older build's checkout and the rest of it: a signature lands on main and its
      // own Pages run builds and deploys; then the older build goes on and finishes last.
      afterStep: async ({ job }) => {
        if (job !== 'build' || newerRun) return;
        const [file, text] = signatureFile(3456789, 'newer', 'Newer Signer');
        newer = commit({ [file]: text }, 'Add a signature');
        newerRun = await gh.run({ workflow: '.github/workflows/pages.yml', event: pushEvent(newer), sha: newer });
      },
    });
    expect(newerRun?.error, newerRun && explain(newerRun)).toBeUndefined();
    expect(olderRun.error, explain(olderRun)).toBeUndefined();
    expect(jobsOf(newerRun!).deploy!.result).toBe('success');
    expect(jobsOf(olderRun).deploy!.result).toBe('skipped');
    expect(logOf(olderRun)).toContain(`Not deploying ${older}: the branch is at ${newer} now`);
    // One deployment in all, the newer commit's, with its signature counted.
    expect(gh.services.deployments).toHaveLength(deploymentsBefore + 1);
    expect(deployedTally(unpackDeployment(gh, gh.services.deployments.at(-1)!, 'race')).signature_count).toBe(1);
  }, 600_000);

  it('a run cancelled right after the processor committed saves no ledger and deploys nothing', async () => {
    // A signature of its own, so the sweep has something to commit whatever ran before; then cancelled.
    gh.api.addIssue(signIssue({ login: 'cancelme', id: 5678901 }, { name: 'Carl M.', country: 'Россия' }));
    const before = head();
    const deployments = gh.services.deployments.length;
    const run = await gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: { name: 'schedule', payload: { schedule: '7,22,37,52 * * * *' } },
      cancelAfterStep: 'process/process',
    });
    expect(run.error, explain(run)).toBeUndefined();
    expect(run.result).toBe('cancelled');
    const jobs = jobsOf(run);
    expect(jobs.process!.outputs).toMatchObject({ committed: 'true', publish: 'true' });
    expect(head()).not.toBe(before);
    expect(jobs.process!.result).toBe('cancelled');
    const save = jobs.process!.steps.find((step) => step.name.startsWith('actions/cache/save'))!;
    expect(save.outcome).toBe('skipped');
    expect(gh.services.cacheEntries.filter((entry) => entry.key.startsWith('petition-ledger-'))).toEqual([]);
    expect(['cancelled', 'skipped']).toContain(jobs.deploy!.result);
    expect(run.jobs.filter((job) => job.name.startsWith('deploy/'))).toEqual([]);
    expect(gh.services.deployments).toHaveLength(deployments);
  }, 600_000);

  it('a record cache forged by another job on main changes nothing published, and the build log names the rows it rejected', async () => {
    const [realFile] = signatureFile(3456789, 'newer', 'Newer Signer');
    const realBlob = gh.gitBare(['rev-parse', `refs/heads/main:${realFile}`]).trim();
    const [phantomFile, phantomText] = signatureFile(9999999, 'phantom', 'Phantom Signer');
    const phantomBlob = execFileSync('git', ['hash-object', '--stdin'], {
      input: phantomText,
      encoding: 'utf8',
    }).trim();
    const [, alteredText] = signatureFile(3456789, 'newer', 'Somebody Else');
    // The cache's rows: "<blob id> <path>\n", git's object ("blob <size>\0" and the bytes), "\n".
    const row = (file: string, blob: string, text: string) => {
      const bytes = Buffer.from(text);
      return Buffer.concat([Buffer.from(`${blob} ${file}\nblob ${bytes.length}\0`), bytes, Buffer.from('\n')]);
    };
    const forged = Buffer.concat([
      Buffer.from(
        `${JSON.stringify({ format: 'petition-blob-cache/3', commit: '0'.repeat(40), tree: '0'.repeat(40) })}\n`,
      ),
      // Rows name paths inside signatures/, as the build writes them.
      row(inSignatures(phantomFile), phantomBlob, phantomText),
      row(inSignatures(realFile), realBlob, alteredText),
    ]).toString('base64');
    // "ci.yml on main" with a compromised dependency: a job on main, saving under the Pages prefix.
    const forgeWorkflow = [
      'name: CI',
      'on: push',
      'permissions: {}',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '    steps:',
      '      - run: |',
      '          mkdir -p .petition-cache',
      `          echo '${forged}' | base64 -d > .petition-cache/records.ndjson`,
      '      - uses: actions/cache/save@668228422ae6a00e4ad889ee87cd7109ec5666a7 # v5.0.4',
      '        with:',
      '          path: .petition-cache',
      '          key: petition-signature-files-forged',
    ].join('\n');
    const forgeCommit = commit({ '.github/workflows/forge.yml': `${forgeWorkflow}\n` }, 'Forge', 'refs/forge/ci');
    const forge = await gh.run({
      workflow: '.github/workflows/forge.yml',
      event: pushEvent(forgeCommit),
      sha: forgeCommit,
    });
    expect(forge.error, explain(forge)).toBeUndefined();
    expect(gh.services.cacheEntries.find((entry) => entry.key === 'petition-signature-files-forged')?.scope).toBe(
      'refs/heads/main',
    );

    // The next push to main: its Pages build restores the forged entry (newest under the prefix).
    const [file, text] = signatureFile(4567890, 'another', 'Another Signer');
    const next = commit({ [file]: text }, 'Add another signature');
    const pages = await gh.run({ workflow: '.github/workflows/pages.yml', event: pushEvent(next), sha: next });
    expect(pages.error, explain(pages)).toBeUndefined();
    const log = logOf(pages);
    expect(log).toContain('Cache restored from key: petition-signature-files-forged');
    expect(log).toContain('The cache may have been tampered with');
    expect(log).toContain(`${inSignatures(phantomFile)}: not a signature file`);
    expect(log).toContain(`${inSignatures(realFile)}: the text does not hash to its blob id`);

    // What was deployed is what a clean build of the same commit makes.
    const deployed = unpackDeployment(gh, gh.services.deployments.at(-1)!, 'forged');
    const reference = path.join(gh.root, 'reference');
    execFileSync('git', ['clone', '-q', gh.bareRepo, reference]);
    execFileSync('git', ['checkout', '-q', next], { cwd: reference });
    execFileSync('cp', ['-al', path.join(projectRoot, 'node_modules'), path.join(reference, 'node_modules')]);
    execFileSync('npm', ['run', 'build'], {
      cwd: reference,
      stdio: 'ignore',
      env: {
        ...process.env,
        SOURCE_DATE_EPOCH: '1795000000',
        PETITION_REPOSITORY: 'leopards/petition',
        SITE_URL: gh.services.pages.origin,
        PATH_PREFIX: `${gh.services.pages.basePath}/`,
      },
    });
    expect(fileHashes(deployed)).toEqual(fileHashes(path.join(reference, '_site')));
    expect(readFileSync(path.join(deployed, 'data/tally.json'), 'utf8')).not.toContain('Phantom');
  }, 600_000);

  it('a letter edited in the web editor makes derive.yml commit its archive copy and the called Pages build publish it', async () => {
    const letter = readFileSync(path.join(work, 'content/letter.md'), 'utf8');
    const edited = commit(
      { 'content/letter.md': `${letter.trimEnd()}\n\nOne more sentence, added in the web editor.\n` },
      'Update letter.md',
    );
    const run = await gh.run({ workflow: '.github/workflows/derive.yml', event: pushEvent(edited), sha: edited });
    expect(run.error, explain(run)).toBeUndefined();
    const jobs = jobsOf(run);
    expect(jobs.derive!.outputs.committed).toBe('true');
    const derived = head();
    const added = gh.gitBare(['diff', '--name-only', '--diff-filter=A', edited, derived]).trim().split('\n');
    const archive = added.find((file) => /^content\/letter-versions\/en\/[0-9a-f]{64}\.md$/.test(file));
    expect(archive, added.join('\n')).toBeDefined();
    expect(jobs['deploy/build']!.result).toBe('success');
    expect(jobs['deploy/deploy']!.result).toBe('success');
    const deployed = unpackDeployment(gh, gh.services.deployments.at(-1)!, 'derived');
    const digest = path.basename(archive!, '.md');
    expect(statSync(path.join(deployed, `letter/versions/${digest}/index.html`)).isFile()).toBe(true);
    expect(readFileSync(path.join(deployed, 'letter/index.html'), 'utf8')).toContain('One more sentence');
  }, 600_000);
});
