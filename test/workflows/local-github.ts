/**
 * GitHub on 127.0.0.1 for the workflow scenarios, set up once per test file: a fresh template
 * repository (the working tree's files, committed once) in a bare repository that the fake REST
 * API writes to and a git smart-HTTP server serves, the Actions services (cache v2, artifacts,
 * Pages), and a `run` that makes one workflow run with the local runner.
 *
 * npm inside a run never reaches the network: npm_config_offline with the npm cache of this
 * worktree's own install. Where a workflow runs `npm ci --no-audit --no-fund` (the site's 500
 * packages), the scenarios give the workspace this worktree's node_modules instead (a logged step
 * override): a link to it in the Pages build, which only reads it (as the fixture projects of
 * test/helpers/petitions.ts do), and a hardlinked copy in ci.yml's check, whose tools write
 * caches into it. The processor's `npm ci --omit=dev --ignore-scripts` (the
 * jobs that hold a write token: signatures.yml's process, derive.yml's derive) runs for real once
 * a test run, offline from the same cache, into a folder shared by every scenario of both files
 * (test/helpers/build-cache.ts); each job gets a hardlinked copy of that result (a logged step
 * override too), unless a run asks for the real install (`realProcessorInstall`), as the scenario
 * that checks what the install leaves out does.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import os from 'node:os';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../../scripts/tooling/fake-github/server.ts';
import {
  allowGitHubStyleFetches,
  startGitHttpServer,
  type GitHttpServer,
} from '../../scripts/tooling/workflows/git-http.ts';
import { startActionsServices, type ActionsServices } from '../../scripts/tooling/workflows/services.ts';
import {
  runWorkflow,
  type WorkflowRunOptions,
  type WorkflowRunResult,
} from '../../scripts/tooling/workflows/runner.ts';
import { sharedBuild } from '../helpers/build-cache.ts';
import { runTracked } from '../helpers/processes.ts';
import { projectRoot } from '../helpers/site.ts';

export const REPOSITORY = 'leopards/petition';

/** The script ci.yml and pages.yml install with; replaced by this worktree's node_modules. */
export const FULL_INSTALL = 'npm ci --no-audit --no-fund';
const HARDLINK_NODE_MODULES = 'cp -al "$PETITION_LOCAL_NODE_MODULES" node_modules';
// 18,000 links made and removed a Pages run were seconds of I/O each on a busy machine.
const LINK_NODE_MODULES = 'ln -s "$PETITION_LOCAL_NODE_MODULES" node_modules';
/** The script the jobs that hold a write token install with; replaced by a hardlinked copy of its shared result. */
export const PROCESSOR_INSTALL = 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund';
const HARDLINK_PROCESSOR_MODULES = 'cp -al "$PETITION_LOCAL_PROCESSOR_NODE_MODULES" node_modules';

/**
 * The processor's install (`npm ci --omit=dev --ignore-scripts`, offline from the npm cache) of
 * this worktree's package.json and package-lock.json, made once a test run and shared; answers
 * its node_modules folder (a hardlinked copy of this caller's own).
 */
async function sharedProcessorInstall(npmEnv: Record<string, string>): Promise<string> {
  const manifests = ['package.json', 'package-lock.json'];
  const hash = createHash('sha256').update('processor install\0').update(PROCESSOR_INSTALL);
  for (const file of manifests) hash.update(`\0${file}\0`).update(readFileSync(path.join(projectRoot, file)));
  const installed = await sharedBuild(hash.digest('hex'), async (output) => {
    mkdirSync(output, { recursive: true });
    for (const file of manifests) await copyFile(path.join(projectRoot, file), path.join(output, file));
    const [command, ...args] = PROCESSOR_INSTALL.split(' ') as [string, ...string[]];
    const result = await runTracked(command, args, { cwd: output, env: { ...process.env, ...npmEnv } });
    if (result.code !== 0) throw new Error(`${PROCESSOR_INSTALL} failed (exit ${result.code}):\n${result.stderr}`);
    return `${result.stdout}\n${result.stderr}`;
  });
  return path.join(installed.output, 'node_modules');
}

/** The local GitHub and what a test needs to drive it. */
/** One run: the runner's options, and whether the processor's jobs install for real. */
export type LocalRunOptions = Partial<WorkflowRunOptions> &
  Pick<WorkflowRunOptions, 'workflow' | 'event'> & {
    /** Run `npm ci --omit=dev --ignore-scripts` in the processor's jobs instead of linking the shared result. */
    realProcessorInstall?: boolean;
  };

export interface LocalGitHub {
  root: string;
  bareRepo: string;
  api: FakeGitHub;
  git: GitHttpServer;
  services: ActionsServices;
  /** The commit of the fresh template. */
  templateSha: string;
  run(options: LocalRunOptions): Promise<WorkflowRunResult>;
  /** Runs git in a scratch clone-free way against the bare repository. */
  gitBare(args: string[]): string;
  close(): Promise<void>;
}

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
}

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Template',
  GIT_AUTHOR_EMAIL: 'template@example.com',
  GIT_COMMITTER_NAME: 'Template',
  GIT_COMMITTER_EMAIL: 'template@example.com',
  GIT_AUTHOR_DATE: '2026-11-20T10:00:00Z',
  GIT_COMMITTER_DATE: '2026-11-20T10:00:00Z',
};

/**
 * Starts everything; `actionsDir` is where real action code may be (.workflow-actions);
 * `editTemplate` changes the template's files before they are committed.
 */
export async function startLocalGitHub(
  options: { actionsDir?: string; editTemplate?: (dir: string) => void } = {},
): Promise<LocalGitHub> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'workflows-local-'));
  // The template: the working tree's tracked and new files, as one first commit.
  const template = path.join(root, 'template');
  mkdirSync(template);
  const files = git(projectRoot, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(template, file)), { recursive: true });
    await copyFile(path.join(projectRoot, file), path.join(template, file)).catch(() => undefined);
  }
  // A scenario may change the template before its one commit (older workflows, to compare).
  options.editTemplate?.(template);
  git(template, ['init', '-q', '-b', 'main']);
  git(template, ['add', '-A']);
  git(template, ['commit', '-q', '-m', 'A new petition from the template'], AUTHOR);
  const bareRepo = path.join(root, 'git', REPOSITORY);
  mkdirSync(path.dirname(bareRepo), { recursive: true });
  git(root, ['clone', '-q', '--bare', template, bareRepo]);
  allowGitHubStyleFetches(bareRepo);
  const templateSha = git(bareRepo, ['rev-parse', 'refs/heads/main']).trim();

  const [owner, repo] = REPOSITORY.split('/') as [string, string];
  const api = await startFakeGitHub({ owner, repo, gitDir: bareRepo });
  const gitServer = await startGitHttpServer(path.join(root, 'git'));
  const services = await startActionsServices();
  const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const npmEnv = { npm_config_cache: npmCache, npm_config_offline: 'true', npm_config_update_notifier: 'false' };
  const processorModules = await sharedProcessorInstall(npmEnv);
  // Above 2^31, as GitHub's run ids are (and the fake API's, which lists these runs).
  let runId = 10_000_000_000;

  const baseEnv: Record<string, string> = {
    // The runner image's GitHub CLI, as a stand-in for `gh api` (scripts/tooling/workflows/stand-ins/bin/gh).
    PATH: `${path.join(projectRoot, 'scripts/tooling/workflows/stand-ins/bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    LANG: 'C.UTF-8',
    TMPDIR: process.env.TMPDIR ?? os.tmpdir(),
    // Offline npm from this worktree's cache: CI has the registry, a test run needs no network.
    ...npmEnv,
    // One build time for every build of a scenario, so two builds of a commit are byte-identical.
    SOURCE_DATE_EPOCH: '1795000000',
    PETITION_LOCAL_NODE_MODULES: path.join(projectRoot, 'node_modules'),
    PETITION_LOCAL_PROCESSOR_NODE_MODULES: processorModules,
    // The workflows pin a Node major this machine may not have: run with this one, logged.
    PETITION_LOCAL_NODE_SUBSTITUTE: '1',
    // Every process a run starts carries the test file's marker, so the test's clean-up finds it.
    ...(process.env.PETITION_TEST_OWNER ? { PETITION_TEST_OWNER: process.env.PETITION_TEST_OWNER } : {}),
    ...(process.env.PETITION_TEST_RUN ? { PETITION_TEST_RUN: process.env.PETITION_TEST_RUN } : {}),
    ...(process.env.CHROME_PATH ? { CHROME_PATH: process.env.CHROME_PATH } : {}),
    // The test run's drawn share cards (test/global-setup.ts): the builds in the jobs draw each once too.
    ...(process.env.PETITION_PICTURE_CACHE ? { PETITION_PICTURE_CACHE: process.env.PETITION_PICTURE_CACHE } : {}),
  };

  return {
    root,
    bareRepo,
    api,
    git: gitServer,
    services,
    templateSha,
    gitBare: (args) => git(bareRepo, args),
    run: async ({ realProcessorInstall, ...run }) => {
      // Its own: a run started inside another (a push during a build) takes the next id meanwhile.
      const id = (runId += 1);
      const runRoot = path.join(root, 'runs');
      mkdirSync(runRoot, { recursive: true });
      const head = git(bareRepo, ['rev-parse', 'refs/heads/main']).trim();
      startRun(api, {
        id,
        workflow: run.workflow,
        event: run.event.name,
        ref: run.ref ?? 'refs/heads/main',
        sha: run.sha ?? head,
        fromFork: run.fromFork === true,
        ...(run.headRef ? { headRef: run.headRef } : {}),
      });
      const result = await runWorkflow({
        services: { apiUrl: api.baseUrl, serverUrl: gitServer.serverUrl, actions: services, bareRepo },
        repository: REPOSITORY,
        ref: 'refs/heads/main',
        sha: head,
        defaultBranch: 'main',
        runId: id,
        githubToken: `ghs_job${id}`,
        runRoot,
        // WORKFLOW_ACTIONS_DIR=/nowhere runs the stand-ins as CI does, with real code present.
        actionsDir:
          options.actionsDir ?? process.env.WORKFLOW_ACTIONS_DIR ?? path.join(projectRoot, '.workflow-actions'),
        baseEnv,
        secrets: {},
        // WORKFLOWS_VERBOSE=1 prints every run's log: each `uses:` says whether real code or a stand-in ran.
        ...(process.env.WORKFLOWS_VERBOSE ? { log: (line: string) => process.stdout.write(`${line}\n`) } : {}),
        ...run,
        stepOverrides: {
          [`build\n${FULL_INSTALL}`]: LINK_NODE_MODULES,
          [`check\n${FULL_INSTALL}`]: HARDLINK_NODE_MODULES,
          ...(realProcessorInstall
            ? {}
            : {
                [`process\n${PROCESSOR_INSTALL}`]: HARDLINK_PROCESSOR_MODULES,
                [`derive\n${PROCESSOR_INSTALL}`]: HARDLINK_PROCESSOR_MODULES,
              }),
          ...run.stepOverrides,
        },
      });
      finishRun(api, services, id, result.result);
      return result;
    },
    close: async () => {
      await Promise.allSettled([api.close(), gitServer.close(), services.close()]);
      // Inside a test run, root is in the run's folder, which test/global-setup.ts removes at the
      // end: removing its tens of thousands of files here took longer than a hook may on a busy machine.
      if (!process.env.PETITION_TEST_RUN) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

/** A run as GitHub's Actions API lists it from its start: in progress (a fork's pull request's head repository is the fork's). */
function startRun(
  api: FakeGitHub,
  run: { id: number; workflow: string; event: string; ref: string; sha: string; fromFork: boolean; headRef?: string },
): void {
  api.addWorkflowRun({
    id: run.id,
    path: run.workflow,
    name: path.basename(run.workflow, '.yml'),
    event: run.event,
    // A pull request's run is on its head branch, as GitHub lists it.
    head_branch: run.headRef ?? run.ref.replace(/^refs\/heads\//, ''),
    head_sha: run.sha,
    status: 'in_progress',
    conclusion: null,
    headRepository: run.fromFork ? `mallory/${REPOSITORY.split('/')[1]}` : REPOSITORY,
  });
}

/** The run completed, and the artifacts its steps uploaded, each a zip of its one file, listed. */
function finishRun(api: FakeGitHub, services: ActionsServices, id: number, result: string): void {
  api.updateWorkflowRun(id, {
    status: 'completed',
    conclusion: result === 'success' ? 'success' : result === 'cancelled' ? 'cancelled' : 'failure',
  });
  for (const [key, bytes] of services.artifacts) {
    const [runId, ...name] = key.split('/');
    if (Number(runId) !== id) continue;
    const file = services.artifactFiles.get(key) ?? 'artifact';
    api.addArtifact({ runId: id, name: name.join('/'), files: { [file]: new Uint8Array(bytes) } });
  }
}

/** The end of a run's log, without debug lines: the message of a failed expectation. */
export function explain(run: WorkflowRunResult): string {
  const lines = run.log.filter((line) => !line.includes('::debug::'));
  return `${run.error ?? 'no error'}\n${lines.slice(-40).join('\n')}`;
}

/** Writes a file (for scenario set-up) and answers its path. */
export function writeText(file: string, text: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/**
 * What `npm run build` makes of `commit` (the default branch's head when absent) of the local
 * repository, built by hand with the address the fake Pages serves and the scenarios' clock: the
 * site a deployment is compared with, byte for byte. Returns its _site folder.
 */
export function referenceBuild(gh: LocalGitHub, label: string, commit?: string): string {
  const reference = path.join(gh.root, `reference-${label}`);
  execFileSync('git', ['clone', '-q', gh.bareRepo, reference]);
  if (commit) execFileSync('git', ['checkout', '-q', commit], { cwd: reference });
  execFileSync('cp', ['-al', path.join(projectRoot, 'node_modules'), path.join(reference, 'node_modules')]);
  execFileSync('npm', ['run', 'build'], {
    cwd: reference,
    stdio: 'ignore',
    env: {
      ...process.env,
      SOURCE_DATE_EPOCH: '1795000000',
      PETITION_REPOSITORY: REPOSITORY,
      SITE_URL: gh.services.pages.origin,
      PATH_PREFIX: `${gh.services.pages.basePath}/`,
    },
  });
  return path.join(reference, '_site');
}

/** Unpacks a deployment's Pages artifact into a fresh folder of the local GitHub's, named by `label`. */
export function unpackDeployment(gh: LocalGitHub, deployment: { artifact: Buffer }, label: string): string {
  const dir = path.join(gh.root, `deployed-${label}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-x', '-C', dir], { input: deployment.artifact });
  return dir;
}

/** Whether any file of a deployed site holds `text`, compressed files (the lists' parts) read unpacked. */
export function siteHolds(dir: string, text: string): boolean {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(path.join(entry.parentPath, entry.name));
    const readable = entry.name.endsWith('.gz') ? gunzipSync(bytes) : bytes;
    if (readable.includes(text)) return true;
  }
  return false;
}

/** The tally a deployed site publishes. */
export const deployedTally = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'data/tally.json'), 'utf8')) as { signature_count: number };

/** The files of a folder, relative path → SHA-256, hidden files left out (as Pages leaves them). */
export function fileHashes(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    if (name.startsWith('.')) continue;
    const relative = prefix ? `${prefix}/${name}` : name;
    const full = path.join(dir, relative);
    if (statSync(full).isDirectory()) Object.assign(files, fileHashes(dir, relative));
    else files[relative] = createHash('sha256').update(readFileSync(full)).digest('hex');
  }
  return files;
}
