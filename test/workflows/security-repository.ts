/**
 * The set-up both security scenario files share (security-scenarios.test.ts: runs that must not
 * commit or deploy; security-scenarios-published.test.ts: what a forged cache and the web editor
 * publish): GitHub on 127.0.0.1 with one template repository per file, a campaigner's clone to
 * push from, and the helpers the scenarios make commits and events with. Two files rather than
 * one so the longest-first order (test/sequencer.ts) can run them side by side.
 *
 * SECURITY_SCENARIOS_WORKFLOWS_FROM=<commit> runs the scenarios against pages.yml and
 * signatures.yml as they were at that commit (7654d71: before #26), to show each scenario fails
 * there; the default is the working tree's workflows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalGitHub, writeText, type LocalGitHub } from './local-github.ts';
import type { WorkflowRunResult } from '../../scripts/tooling/workflows/runner.ts';
import { projectRoot } from '../helpers/site.ts';

const OLD_WORKFLOWS = process.env.SECURITY_SCENARIOS_WORKFLOWS_FROM;

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Campaigner',
  GIT_AUTHOR_EMAIL: 'campaigner@example.com',
  GIT_COMMITTER_NAME: 'Campaigner',
  GIT_COMMITTER_EMAIL: 'campaigner@example.com',
};

/** The local GitHub of a file and the campaigner's clone, set in its beforeAll. */
export interface SecurityRepository {
  gh: LocalGitHub;
  work: string;
}

/**
 * Starts the file's local GitHub before its scenarios (with the older workflows when asked) and
 * closes it after them, printing how long the file took; answers the object its beforeAll fills.
 */
export function useSecurityRepository(label: string): SecurityRepository {
  const repository = {} as SecurityRepository;
  const started = Date.now();
  beforeAll(async () => {
    repository.gh = await startLocalGitHub({
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
    repository.work = path.join(repository.gh.root, 'campaigner');
    execFileSync('git', ['clone', '-q', repository.gh.bareRepo, repository.work]);
  }, 120_000);
  afterAll(async () => {
    await repository.gh?.close();
    process.stdout.write(`${label} took ${Math.round((Date.now() - started) / 1000)} s\n`);
  });
  return repository;
}

/** Commits files (null deletes) on top of main in the clone and pushes to `ref`; answers the new commit. */
export function commit(
  { work }: SecurityRepository,
  files: Record<string, string | null>,
  message: string,
  ref = 'refs/heads/main',
): string {
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
export function signatureFile(id: number, login: string, name: string): [string, string] {
  const digits = String(id);
  const file = `signatures/${digits.slice(-2)}/${digits.slice(-4, -2)}/${digits}.md`;
  const text = readFileSync(path.join(projectRoot, 'test/fixtures/signatures/one/67/45/1234567.md'), 'utf8')
    .replace('"Анна Петрова"', JSON.stringify(name))
    .replace('"apetrova"', JSON.stringify(login))
    .replace('user_id: 1234567', `user_id: ${id}`);
  return [file, text];
}

/** A path inside signatures/, as the build's record cache names it. */
export const inSignatures = (file: string) => file.replace(/^signatures\//, '');
/** The commit main is at in the local GitHub. */
export const head = ({ gh }: SecurityRepository) => gh.gitBare(['rev-parse', 'refs/heads/main']).trim();
/** A run's jobs by name. */
export const jobsOf = (run: WorkflowRunResult) => Object.fromEntries(run.jobs.map((job) => [job.name, job]));
/** A run's log as one text. */
export const logOf = (run: WorkflowRunResult) => run.log.join('\n');
/** The push event of `after` landing on main. */
export const pushEvent = (after: string) => ({
  name: 'push',
  payload: { ref: 'refs/heads/main', after, repository: { full_name: 'leopards/petition', default_branch: 'main' } },
});
