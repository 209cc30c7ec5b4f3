/**
 * The local workflow runner's own rules, on tiny workflows: what it evaluates, what it refuses
 * (loudly, naming the job and step), and how the fake cache service scopes entries.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFiles } from '../../scripts/tooling/workflows/expressions.ts';
import { parseKeyValueFile, runWorkflow, type WorkflowRunResult } from '../../scripts/tooling/workflows/runner.ts';
import {
  findCacheEntry,
  restoreScopes,
  startActionsServices,
  type ActionsServices,
  type CacheEntry,
} from '../../scripts/tooling/workflows/services.ts';

let root: string;
let services: ActionsServices;
let bare: string;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'runner-'));
  bare = path.join(root, 'repo.git');
  execFileSync('git', ['init', '-q', '--bare', bare]);
  services = await startActionsServices();
});
afterAll(async () => {
  await services.close();
  rmSync(root, { recursive: true, force: true });
});

/** Commits one workflow into the bare repository and runs it. */
async function run(workflow: string, extra: { secrets?: Record<string, string> } = {}): Promise<WorkflowRunResult> {
  const work = mkdtempSync(path.join(root, 'work-'));
  mkdirSync(path.join(work, '.github/workflows'), { recursive: true });
  writeFileSync(path.join(work, '.github/workflows/test.yml'), workflow);
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: work });
  execFileSync('git', ['add', '-A'], { cwd: work });
  execFileSync('git', ['commit', '-qm', 'test'], { cwd: work, env });
  const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: work, encoding: 'utf8' }).trim();
  execFileSync('git', ['push', '-qf', bare, 'HEAD:refs/heads/main'], { cwd: work });
  return runWorkflow({
    services: {
      apiUrl: 'http://127.0.0.1:9',
      serverUrl: 'http://github.localhost:9',
      actions: services,
      bareRepo: bare,
    },
    workflow: '.github/workflows/test.yml',
    repository: 'leopards/petition',
    event: { name: 'workflow_dispatch', payload: {} },
    ref: 'refs/heads/main',
    sha,
    runId: 1,
    githubToken: 'ghs_test',
    runRoot: path.join(root, 'runs'),
    actionsDir: path.join(root, 'no-actions'),
    // The test file's marker goes with every step, so its clean-up finds whatever is left.
    baseEnv: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...(process.env.PETITION_TEST_OWNER ? { PETITION_TEST_OWNER: process.env.PETITION_TEST_OWNER } : {}),
    },
    secrets: extra.secrets ?? {},
  });
}

const header = 'on: workflow_dispatch\npermissions: {}\njobs:\n';

describe('the local workflow runner', () => {
  it('passes outputs, GITHUB_ENV and GITHUB_PATH between steps and jobs, and honours if: with the status functions', async () => {
    const result = await run(
      `${header}  first:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.say.outputs.word }}
    steps:
      - id: say
        run: |
          echo "word=hello" >> "$GITHUB_OUTPUT"
          printf 'text<<EOF\\nline one\\nline two\\nEOF\\n' >> "$GITHUB_OUTPUT"
          echo "GREETING=hi" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - run: test "$GREETING" = hi && echo "$PATH" | grep -q "$RUNNER_TEMP/bin"
      - run: exit 3
      - if: failure()
        id: after
        run: echo "ran=yes" >> "$GITHUB_OUTPUT"
      - run: echo never
      - if: always()
        run: echo always
  second:
    needs: first
    if: always() && needs.first.outputs.word == 'hello'
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2]
    steps:
      - run: echo "n=\${N}"
        env:
          N: \${{ matrix.n }}
`,
    );
    const first = result.jobs.find((job) => job.name === 'first')!;
    expect(first.result).toBe('failure');
    expect(first.outputs).toEqual({ word: 'hello' });
    expect(first.steps.map((step) => step.outcome)).toEqual([
      'success',
      'success',
      'failure',
      'success',
      'skipped',
      'success',
    ]);
    expect(first.steps[0]!.outputs.text).toBe('line one\nline two');
    expect(result.jobs.filter((job) => job.name.startsWith('second')).map((job) => job.name)).toEqual([
      'second (1)',
      'second (2)',
    ]);
    expect(result.error).toBe('job first, step "run: exit 3": exited with 3');
  });

  it('fails the run, naming job and step, for an action it has neither real code nor a stand-in for', async () => {
    const result = await run(`${header}  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@0000000000000000000000000000000000000000
`);
    expect(result.result).toBe('failure');
    expect(result.error).toMatch(
      /^job build, step "actions\/checkout@0{40}": cannot run .*no stand-in for this action at this commit/,
    );
  });

  it('fails the run, naming job and step, for an expression function or context it does not know', async () => {
    const fn = await run(`${header}  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$X"
        env:
          X: \${{ frobnicate('x') }}
`);
    expect(fn.result).toBe('failure');
    // GitHub's parser refuses it before any job starts; the message still names job and step.
    expect(fn.error).toMatch(/^job build, step 1 "echo "\$X"": .*Line: 9.*frobnicate/i);
    // actionlint-free YAML that GitHub's parser still rejects: an unknown context.
    const context = await run(`${header}  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
        if: nonsense.value == 'x'
`);
    expect(context.result).toBe('failure');
    expect(context.error).toMatch(/^job build, step 1 "echo hi": .*nonsense/);
  });

  it('reads output files as GitHub does, multi-line blocks included', () => {
    expect(parseKeyValueFile('a=1\nb<<X\nx\ny\nX\nc=d=e\n')).toEqual({ a: '1', b: 'x\ny', c: 'd=e' });
    expect(() => parseKeyValueFile('b<<X\nnever ends\n')).toThrow(/unterminated/);
  });

  it('hashes files as hashFiles() does: SHA-256 of the files’ SHA-256s in path order, empty when nothing matches', () => {
    const dir = mkdtempSync(path.join(root, 'hash-'));
    mkdirSync(path.join(dir, 'scripts/core'), { recursive: true });
    writeFileSync(path.join(dir, 'scripts/core/a.ts'), 'a');
    writeFileSync(path.join(dir, 'scripts/core/b.ts'), 'b');
    writeFileSync(path.join(dir, 'package-lock.json'), '{}');
    const sha = (data: Buffer | string) => execFileSync('sha256sum', { input: data }).toString().slice(0, 64);
    const digest = (text: string) => Buffer.from(sha(text), 'hex');
    const expected = sha(Buffer.concat([digest('{}'), digest('a'), digest('b')]));
    expect(hashFiles(dir, ['package-lock.json', 'scripts/core/**'])).toBe(expected);
    expect(hashFiles(dir, ['nothing/**'])).toBe('');
  });

  it('takes a cache archive in Azure blocks, serves it back from the signed URL, and refuses a second save under the same key', async () => {
    const token = services.runtimeToken({
      runId: 5,
      job: 'build',
      ref: 'refs/heads/blocks',
      defaultRef: 'refs/heads/main',
    });
    const twirp = (method: string, body: object) =>
      fetch(`${services.resultsUrl}twirp/github.actions.results.api.v1.CacheService/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = (await (await twirp('CreateCacheEntry', { key: 'blocks-1', version: 'v1' })).json()) as {
      signed_upload_url: string;
    };
    const url = new URL(created.signed_upload_url);
    for (const [id, text] of [
      ['YQ==', 'hello '],
      ['Yg==', 'world'],
    ]) {
      url.search = `comp=block&blockid=${encodeURIComponent(id!)}`;
      expect((await fetch(url, { method: 'PUT', body: text })).status).toBe(201);
    }
    url.search = 'comp=blocklist';
    const list = '<?xml version="1.0"?><BlockList><Latest>YQ==</Latest><Latest>Yg==</Latest></BlockList>';
    expect((await fetch(url, { method: 'PUT', body: list })).status).toBe(201);
    expect((await twirp('FinalizeCacheEntryUpload', { key: 'blocks-1', version: 'v1', size_bytes: '11' })).status).toBe(
      200,
    );
    const found = (await (
      await twirp('GetCacheEntryDownloadURL', { key: 'blocks-', restore_keys: [], version: 'v1' })
    ).json()) as {
      ok: boolean;
      signed_download_url: string;
      matched_key: string;
    };
    expect(found).toMatchObject({ ok: true, matched_key: 'blocks-1' });
    expect(await (await fetch(found.signed_download_url)).text()).toBe('hello world');
    expect((await twirp('CreateCacheEntry', { key: 'blocks-1', version: 'v1' })).status).toBe(409);
    expect(services.cacheEntries.find((entry) => entry.key === 'blocks-1')?.savedBy).toEqual({
      runId: 5,
      job: 'build',
      ref: 'refs/heads/blocks',
    });
  });

  it('restores caches from the run’s own ref, then the pull request’s base, then the default branch: exact key first, then prefixes newest first', () => {
    const entry = (id: number, key: string, scope: string): CacheEntry => ({
      id,
      key,
      version: 'v',
      scope,
      savedBy: { runId: id, job: 'build', ref: scope },
      createdAt: id,
      finalized: true,
      size: 0,
      data: Buffer.alloc(0),
      blocks: new Map(),
    });
    const entries = [
      entry(1, 'records-a', 'refs/heads/main'),
      entry(2, 'records-b', 'refs/heads/main'),
      entry(3, 'records-c', 'refs/pull/7/merge'),
    ];
    const main = restoreScopes({ runId: 9, job: 'b', ref: 'refs/heads/main', defaultRef: 'refs/heads/main' });
    expect(findCacheEntry(entries, main, 'records-x', ['records-'], 'v')?.key).toBe('records-b');
    expect(findCacheEntry(entries, main, 'records-a', ['records-'], 'v')?.key).toBe('records-a');
    expect(findCacheEntry(entries, main, 'records-a', [], 'other')).toBeUndefined();
    const pr = restoreScopes({
      runId: 9,
      job: 'b',
      ref: 'refs/pull/7/merge',
      baseRef: 'refs/heads/main',
      defaultRef: 'refs/heads/main',
    });
    expect(findCacheEntry(entries, pr, 'records-x', ['records-'], 'v')?.key).toBe('records-c');
  });
});
