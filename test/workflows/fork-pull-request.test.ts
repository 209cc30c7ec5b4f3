/**
 * A fork's pull request against the workflows, run locally (scripts/tooling/workflows/) against
 * GitHub on 127.0.0.1 (test/workflows/local-github.ts): ci.yml runs read-only and without secrets,
 * and the cache entry a fork saves stays in its pull request's scope. Its own repository, with one
 * signature from the start and one Pages run of main, so that it runs beside the scenarios of
 * run-workflows.test.ts instead of after them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedTally, explain, startLocalGitHub, unpackDeployment, type LocalGitHub } from './local-github.ts';
import { jobsOf, signatureFile } from './security-repository.ts';

let gh: LocalGitHub;

beforeAll(async () => {
  gh = await startLocalGitHub({
    editTemplate: (dir) => {
      const [file, text] = signatureFile(1234567, 'apetrova', 'Anna P.');
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    },
  });
  // Main's Pages build: one signature deployed, and main's record cache saved in main's scope.
  const pages = await gh.run({
    workflow: '.github/workflows/pages.yml',
    event: {
      name: 'workflow_dispatch',
      payload: { inputs: {}, ref: 'refs/heads/main', repository: { default_branch: 'main' } },
    },
  });
  expect(pages.error, explain(pages)).toBeUndefined();
  expect(deployedTally(unpackDeployment(gh, gh.services.deployments.at(-1)!, 'main')).signature_count).toBe(1);
  expect(gh.services.cacheEntries.map((entry) => entry.scope)).toEqual(['refs/heads/main']);
}, 600_000);
afterAll(async () => {
  await gh?.close();
});

describe('a fork, run locally against GitHub on 127.0.0.1', () => {
  it("a fork's pull request runs ci.yml with a read-only token and no secrets, and the cache entry it saves stays in the pull request's scope, so main's Pages build does not restore it", async () => {
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
        '      - name: Look for a secret',
        '        run: |',
        '          echo "app key: [${APP_KEY}]" >> "$GITHUB_STEP_SUMMARY"',
        '        env:',
        '          APP_KEY: ${{ secrets.PETITION_APP_PRIVATE_KEY }}',
      ].join('\n')}\n`,
    );
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
            head: { ref: 'patch-1', sha: merge, repo: { full_name: 'mallory/petition', fork: true } },
            base: { ref: 'main', sha: base, repo: { full_name: 'leopards/petition', fork: false } },
          },
          repository: { full_name: 'leopards/petition', default_branch: 'main' },
        },
      },
      ref: 'refs/pull/7/merge',
      sha: merge,
      baseRef: 'main',
      headRef: 'patch-1',
      fromFork: true,
      secrets: { PETITION_APP_PRIVATE_KEY: 'not-for-forks' },
      // One Node of the matrix is enough here; and not the whole suite inside a test, nor the
      // typecheck, lint and format check of the whole tree (one file stands for it: the tools run
      // for real in the job, with the job's token and install; the whole tree is CI's own check),
      // nor a build the Pages run above made (documented overrides).
      matrixFilter: (matrix) => matrix.node !== '20.19',
      stepOverrides: {
        'check\nnpm test': 'npx vitest run test/unit/countries.test.ts',
        'check\nnpm run lint': 'npx eslint scripts/tooling/workflows/local.ts',
        'check\nnpm run format:check': 'npx prettier --check scripts/tooling/workflows/local.ts',
        'check\nnpm run typecheck': 'echo "typecheck: npm run typecheck checks this tree outside the scenario"',
        'check\nnpm run build': 'echo "build: made by the Pages run before"',
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

    // Main's next Pages build restores main's newest records, never the fork's newer entry.
    const pages = await gh.run({
      workflow: '.github/workflows/pages.yml',
      event: { name: 'push', payload: { ref: 'refs/heads/main', after: base } },
    });
    expect(pages.error, explain(pages)).toBeUndefined();
    const restore = jobsOf(pages).build!.steps.find((step) => step.name.startsWith('actions/cache/restore'))!;
    expect(restore.outputs['cache-matched-key']).toMatch(/^petition-signature-files-[0-9a-f]{40}$/);
    expect(restore.outputs['cache-matched-key']).not.toBe(poisoned.key);
    expect(deployedTally(unpackDeployment(gh, gh.services.deployments.at(-1)!, 'after-fork')).signature_count).toBe(1);
  }, 600_000);
});
