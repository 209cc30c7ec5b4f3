/**
 * Our stand-in for actions/checkout against the real action's code: both check out the same
 * commit with pages.yml's inputs (branch ref, blobless, sparse cone, no persisted credentials,
 * the step's environment for a sparse index)
 * from the local git server, and must leave the same work tree and git state. Needs the real
 * code (`npm run refresh:actions`, from a local snapshot, never committed): without it this is
 * the one test that is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { realActionDir } from '../../scripts/tooling/workflows/actions.ts';
import { projectRoot } from '../helpers/site.ts';
import { explain, startLocalGitHub, writeText, type LocalGitHub } from './local-github.ts';

const CHECKOUT = 'actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd';
const actionsDir = path.join(projectRoot, '.workflow-actions');
const realPresent = existsSync(path.join(realActionDir(actionsDir, CHECKOUT), 'action.yml'));
/** The environment pages.yml gives its checkout step (a sparse index), given to both checkouts here. */
const pagesCheckoutEnv = (
  YAML.parse(readFileSync(path.join(projectRoot, '.github/workflows/pages.yml'), 'utf8')) as {
    jobs: { build: { steps: { uses?: string; env?: Record<string, string> }[] } };
  }
).jobs.build.steps.find((step) => step.uses?.startsWith('actions/checkout@'))!.env!;
const skipMessage = `the real ${CHECKOUT} is not here: run \`npm run refresh:actions\` to compare the stand-in with it`;

let gh: LocalGitHub;
beforeAll(async () => {
  if (realPresent) gh = await startLocalGitHub();
});
afterAll(async () => {
  await gh?.close();
});

/** The parts of a checkout a later step depends on. */
function checkoutState(dir: string) {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    } catch {
      return '(unset)';
    }
  };
  const files: string[] = [];
  const walk = (prefix: string) => {
    for (const name of readdirSync(path.join(dir, prefix)).sort()) {
      if (!prefix && name === '.git') continue;
      const relative = prefix ? `${prefix}/${name}` : name;
      if (statSync(path.join(dir, relative)).isDirectory()) walk(relative);
      else files.push(relative);
    }
  };
  walk('');
  // Written as a sparse index (git's "sdir" extension), as the checkout step's environment asks.
  // Read before any git command here: one that refreshes the index (status) without index.sparse
  // writes it back whole.
  const sparseIndex = readFileSync(path.join(dir, '.git/index')).includes('sdir');
  return {
    head: git(['rev-parse', 'HEAD']),
    branch: git(['rev-parse', '--abbrev-ref', 'HEAD']),
    refs: git(['for-each-ref', '--format=%(refname) %(objectname)']),
    status: git(['status', '--porcelain']),
    files,
    sparse: git(['sparse-checkout', 'list']),
    shallow: existsSync(path.join(dir, '.git/shallow'))
      ? readFileSync(path.join(dir, '.git/shallow'), 'utf8').trim()
      : '',
    config: Object.fromEntries(
      [
        'remote.origin.url',
        'remote.origin.fetch',
        'remote.origin.promisor',
        'remote.origin.partialclonefilter',
        'core.sparsecheckout',
        'core.sparsecheckoutcone',
        'extensions.worktreeconfig',
        'gc.auto',
      ].map((key) => [key, git(['config', '--get-all', key])]),
    ),
    // Credentials must not stay behind (persist-credentials: false).
    extraHeaders: git(['config', '--get-regexp', String.raw`^http\..*\.extraheader$`]),
    sparseIndex,
  };
}

describe('the stand-in actions, checked against the real actions’ code', () => {
  it.skipIf(!realPresent)(
    `the checkout stand-in leaves the same work tree and git state as the real actions/checkout (skipped when absent: ${skipMessage})`,
    async () => {
      const workflow = (name: string) => `name: ${name}
on: workflow_dispatch
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: ${CHECKOUT}
        env: ${JSON.stringify(pagesCheckoutEnv)}
        with:
          ref: \${{ github.ref }}
          persist-credentials: false
          filter: blob:none
          sparse-checkout: |
            content
            scripts
`;
      // Both workflows go into the repository under test, in one commit.
      const work = mkdtempSync(path.join(gh.root, 'compare-'));
      execFileSync('git', ['clone', '-q', gh.bareRepo, work]);
      writeText(path.join(work, '.github/workflows/checkout-real.yml'), workflow('real'));
      writeText(path.join(work, '.github/workflows/checkout-stand-in.yml'), workflow('stand-in'));
      const env = {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      };
      execFileSync('git', ['add', '-A'], { cwd: work });
      execFileSync('git', ['commit', '-qm', 'Two checkouts to compare'], { cwd: work, env });
      execFileSync('git', ['push', '-q', gh.bareRepo, 'HEAD:refs/heads/main'], { cwd: work });

      const real = await gh.run({
        workflow: '.github/workflows/checkout-real.yml',
        event: { name: 'workflow_dispatch', payload: {} },
      });
      const empty = path.join(gh.root, 'no-actions');
      mkdirSync(empty, { recursive: true });
      const standIn = await gh.run({
        workflow: '.github/workflows/checkout-stand-in.yml',
        event: { name: 'workflow_dispatch', payload: {} },
        actionsDir: empty,
      });
      expect(real.error, explain(real)).toBeUndefined();
      expect(standIn.error, explain(standIn)).toBeUndefined();
      expect(real.uses.map((use) => use.mode)).toEqual(['real']);
      expect(standIn.uses.map((use) => use.mode)).toEqual(['stand-in']);
      const realState = checkoutState(real.jobs[0]!.workspace!);
      const standInState = checkoutState(standIn.jobs[0]!.workspace!);
      expect(standInState).toEqual(realState);
      // And what both got is what pages.yml asks for.
      expect(realState.files.some((file) => file.startsWith('signatures/'))).toBe(false);
      expect(realState.files).toContain('package.json');
      expect(realState.sparseIndex).toBe(true);
      expect(real.jobs[0]!.steps[0]!.outputs).toEqual(standIn.jobs[0]!.steps[0]!.outputs);
      rmSync(work, { recursive: true, force: true });
    },
    300_000,
  );
});
