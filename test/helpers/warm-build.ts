/**
 * Warm builds: each vitest worker keeps one long-lived build process (./warm-build-child.ts) and
 * runs `buildSite`'s Eleventy builds in it, instead of starting a cold `node … cmd.cjs` for each.
 * A cold build spends about 1.1 s of its 3–4.5 s of CPU loading Node, tsx, Eleventy and
 * scripts/site, and more compiling them; the same build in a process that built before costs
 * 0.35–0.9 s. The output and the log are those of a cold build (test/site/warm-build.test.ts).
 *
 * - Which builds: those of a project laid out like the fixture projects (./petitions.ts: its own
 *   .eleventy.ts and scripts/, this project's node_modules) whose environment agrees with the
 *   warm process's on what Node and the libraries read once at start-up. Anything else, and every
 *   build under PETITION_TEST_WARM_BUILDS=off, is built cold: `warmBuild` answers undefined.
 * - Each build gets exactly its environment and its project as working directory (the process
 *   runs one build at a time), and its own stdout and stderr.
 * - A project whose code (.eleventy.ts, scripts/, tsconfig.json, scripts in content/) changed
 *   since the process imported it gets a fresh process: Node never imports a module twice.
 * - A build that ends the process (`process.exit`, a crash) fails as a cold one would, with what
 *   it printed; so does one still running after {@link BUILD_LIMIT_MS}. The next build starts a
 *   fresh process. So does one after {@link MAX_BUILDS} builds or above {@link MAX_RSS_BYTES}.
 * - Lifetime: the process serves every test file its worker runs (vitest.config.ts isolate:
 *   false), so a worker pays for one start, not one a file. It carries a marker of its own
 *   (`<run>:warm-builds:…`, not a file's), so a file's end does not kill it while idle; a build
 *   still running when its file ends is killed with the process ({@link endOfTestFile}). It ends
 *   itself when its worker goes (the IPC channel closes); the worker kills it on exit; and
 *   test/global-setup.ts waits for it and kills what is left at the end of the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ELEVENTY_COMMAND, eleventyArguments } from '../../scripts/tooling/eleventy-command.ts';
import { folderDigest } from './build-cache.ts';
import { OWNER_VARIABLE, processCpuSync, type Finished } from './processes.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const childScript = path.join(projectRoot, 'test/helpers/warm-build-child.ts');

/**
 * Builds one process runs before it is replaced: bounds what a long run keeps in it. (24 builds
 * of the two fixtures in turn: resident memory 375 MB after the first, 450–520 MB from the third on.)
 */
export const MAX_BUILDS = 40;
/** A process larger than this after a build is replaced (each project copy adds its own modules). */
export const MAX_RSS_BYTES = 1_000_000_000;
/** A build still running after this long is stopped: no test waits that long (vitest.config.ts). */
export const BUILD_LIMIT_MS = 150_000;
/** The limits in force: {@link MAX_BUILDS}, {@link MAX_RSS_BYTES} and {@link BUILD_LIMIT_MS} but in tests of them. */
const limits = { maxBuilds: MAX_BUILDS, maxRssBytes: MAX_RSS_BYTES, buildMs: BUILD_LIMIT_MS };

/** Lowers the limits for a test of what happens when one is reached; answers a function that restores them. */
export function setWarmBuildLimits(changed: Partial<typeof limits>): () => void {
  const before = { ...limits };
  Object.assign(limits, changed);
  return () => Object.assign(limits, before);
}

/** The marker prefix of warm build processes, after the run's id (test/global-setup.ts). */
export const WARM_MARKER = 'warm-builds';

/**
 * Environment variables read once when a process starts (Node's options, the terminal's colours
 * for kleur and debug, the locale of ICU, tsx's settings): a build whose values differ from the
 * warm process's would not run as a cold one, so it is built cold.
 */
const START_UP_VARIABLE =
  /^(?:NODE_|UV_|TSX_|ESBUILD_|DEBUG$|FORCE_COLOR$|NO_COLOR$|TERM$|COLORTERM$|CI$|LANG$|LANGUAGE$|LC_)/;

interface Pending {
  id: number;
  resolve(result: Finished): void;
  stdout: Buffer[];
  stderr: Buffer[];
  ends: { stdout?: string; stderr?: string };
  timer: NodeJS.Timeout;
}

interface WarmProcess {
  child: ChildProcess;
  ready: Promise<void>;
  /** The start-up variables it was started with. */
  startUp: Map<string, string>;
  /** The code digest of each project it imported. */
  projects: Map<string, string>;
  nonce: string;
  builds: number;
  rss: number;
  pending?: Pending;
  exited: boolean;
}

let current: WarmProcess | undefined;
let nextId = 1;
/** The builds of this worker, one after another: each owns the warm process's environment and cwd. */
let queue: Promise<void> = Promise.resolve();

function startUpVariables(env: Record<string, string | undefined>): Map<string, string> {
  return new Map(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && START_UP_VARIABLE.test(entry[0]),
    ),
  );
}

function sameVariables(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([name, value]) => b.get(name) === value);
}

/** Whether `root` is a project the warm process can build: laid out as ./petitions.ts lays them. */
async function warmable(root: string): Promise<boolean> {
  try {
    const [modules, ours] = await Promise.all([
      realpath(path.join(root, 'node_modules')),
      realpath(path.join(projectRoot, 'node_modules')),
    ]);
    const [config, tsconfig, ourTsconfig, manifest] = await Promise.all([
      readFile(path.join(root, '.eleventy.ts')),
      readFile(path.join(root, 'tsconfig.json'), 'utf8'),
      readFile(path.join(projectRoot, 'tsconfig.json'), 'utf8'),
      readFile(path.join(root, 'package.json'), 'utf8'),
    ]);
    // tsx reads the tsconfig of the directory it starts in; Eleventy reads package.json's "11ty" once a process.
    return modules === ours && config.length > 0 && tsconfig === ourTsconfig && !('11ty' in JSON.parse(manifest));
  } catch {
    return false;
  }
}

/** Files under content/ that Eleventy may import (JavaScript data files), with the browser scripts. */
const IMPORTABLE = /\.(?:[cm]?js|[cm]?ts)$/;

/** What a project's build imports: a change means a fresh process (Node caches modules by path). */
async function codeDigest(root: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['.eleventy.ts', 'tsconfig.json'])
    hash.update(`${file}\0`).update(await readFile(path.join(root, file)));
  hash.update(await folderDigest(path.join(root, 'scripts')));
  const content = path.join(root, 'content');
  for (const file of ((await readdir(content, { recursive: true })) as string[])
    .filter((name) => IMPORTABLE.test(name))
    .sort())
    hash.update(`${file}\0`).update(await readFile(path.join(content, file)).catch(() => Buffer.alloc(0)));
  return hash.digest('hex');
}

function start(): WarmProcess {
  const nonce = randomUUID();
  const env = {
    ...process.env,
    [OWNER_VARIABLE]: `${process.env.PETITION_TEST_RUN ?? 'run'}:${WARM_MARKER}:${randomUUID()}`,
  };
  // Node's flags as a cold build gets them (eleventyArguments), the child script instead of Eleventy's.
  const cold = eleventyArguments();
  const nodeFlags = cold.slice(0, cold.indexOf(ELEVENTY_COMMAND));
  const child = spawn(process.execPath, [...nodeFlags, childScript, nonce], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const warm: WarmProcess = {
    child,
    nonce,
    startUp: startUpVariables(process.env),
    projects: new Map(),
    builds: 0,
    rss: 0,
    exited: false,
    ready: new Promise((resolve) => {
      child.once('message', () => resolve());
      child.once('close', () => resolve());
    }),
  };
  child.stdout!.on('data', (chunk: Buffer) => received(warm, 'stdout', chunk));
  child.stderr!.on('data', (chunk: Buffer) => received(warm, 'stderr', chunk));
  // 'close', not 'exit': the last of what it printed may come after its exit.
  child.once('close', (code, signal) => exited(warm, code, signal));
  child.on('error', () => undefined);
  // An idle warm process must not keep the worker alive.
  child.unref();
  child.channel?.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?(): void }).unref?.();
  return warm;
}

/** Collects a build's output, up to the end marker on each stream. */
function received(warm: WarmProcess, stream: 'stdout' | 'stderr', chunk: Buffer): void {
  const pending = warm.pending;
  // Printed between builds, or after this build's end marker on this stream: nobody's log.
  if (!pending || pending.ends[stream] !== undefined) return;
  const parts = pending[stream];
  parts.push(chunk);
  const text = Buffer.concat(parts);
  const start = text.indexOf(`\0warm-build-end:${warm.nonce}:${pending.id}:`);
  if (start === -1) return;
  const end = text.indexOf(0, start + 1);
  if (end === -1) return;
  pending.ends[stream] = text.subarray(start + 1, end).toString('utf8');
  parts.splice(0, parts.length, text.subarray(0, start));
  if (pending.ends.stdout === undefined || pending.ends.stderr === undefined) return;
  const [, , , code, rss, cpuMicroseconds] = pending.ends.stdout.split(':');
  warm.rss = Number(rss);
  warmCpuSeconds += Number(cpuMicroseconds) / 1e6;
  finish(warm, { code: Number(code), signal: null });
}

function finish(warm: WarmProcess, end: { code: number | null; signal: NodeJS.Signals | null }, note = ''): void {
  const pending = warm.pending;
  if (!pending) return;
  warm.pending = undefined;
  clearTimeout(pending.timer);
  pending.resolve({
    stdout: Buffer.concat(pending.stdout).toString('utf8'),
    stderr: Buffer.concat(pending.stderr).toString('utf8') + note,
    ...end,
  });
}

function exited(warm: WarmProcess, code: number | null, signal: NodeJS.Signals | null): void {
  warm.exited = true;
  if (current === warm) current = undefined;
  finish(warm, { code, signal });
}

function stop(warm: WarmProcess): void {
  if (current === warm) current = undefined;
  if (!warm.exited) warm.child.kill('SIGKILL');
}

/** The warm process to build `root` in: the current one, or a fresh one when it cannot. */
async function processFor(root: string, env: Record<string, string | undefined>): Promise<WarmProcess | undefined> {
  const startUp = startUpVariables(env);
  if (current && (current.builds >= limits.maxBuilds || current.rss > limits.maxRssBytes)) stop(current);
  const digest = await codeDigest(root);
  const known = current?.projects.get(root);
  if (current && known !== undefined && known !== digest) stop(current);
  if (!current && !sameVariables(startUp, startUpVariables(process.env))) return undefined;
  current ??= start();
  if (!sameVariables(startUp, current.startUp)) return undefined;
  current.projects.set(root, digest);
  return current;
}

function runIn(warm: WarmProcess, root: string, env: Record<string, string>, output: string): Promise<Finished> {
  return new Promise((resolve) => {
    const id = nextId++;
    warm.builds += 1;
    const timer = setTimeout(() => {
      finish(
        warm,
        { code: null, signal: 'SIGKILL' },
        `\n(The warm build was stopped after ${limits.buildMs / 1000} s.)`,
      );
      stop(warm);
    }, limits.buildMs);
    timer.unref();
    warm.pending = { id, resolve, stdout: [], stderr: [], ends: {}, timer };
    if (warm.exited) return finish(warm, { code: warm.child.exitCode, signal: warm.child.signalCode });
    warm.child.send({ id, cwd: root, env, output }, (error) => {
      if (error) finish(warm, { code: warm.child.exitCode, signal: warm.child.signalCode }, `\n${error.message}`);
    });
  });
}

/**
 * Runs the Eleventy build of `root` into `output` with exactly `env` in this worker's warm build
 * process, as `node … cmd.cjs --config=.eleventy.ts --output=<output> --quiet` would in `root`.
 * Answers what a cold run answers (`runTracked`), or undefined when the build must run cold (see
 * the module's comment). Builds are run one at a time.
 */
export async function warmBuild(
  root: string,
  env: Record<string, string | undefined>,
  output: string,
): Promise<Finished | undefined> {
  if (process.env.PETITION_TEST_WARM_BUILDS === 'off' || env.PETITION_TEST_WARM_BUILDS === 'off') return undefined;
  root = path.resolve(root);
  if (!(await warmable(root))) return undefined;
  const defined = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const previous = queue;
  let release!: () => void;
  queue = new Promise((resolve) => (release = resolve));
  await previous;
  try {
    const warm = await processFor(root, defined);
    if (!warm) return undefined;
    await warm.ready;
    // A process that could not start: this build runs cold, which reports what is wrong if it fails too.
    if (warm.exited) return undefined;
    return await runIn(warm, root, defined, output);
  } finally {
    release();
  }
}

/** CPU seconds the builds of this worker's warm processes spent (each build's own: not start-up or idle time). */
let warmCpuSeconds = 0;

/** {@link warmCpuSeconds} so far: test/helpers/per-file-setup.ts puts each file's share in its profile line. */
export function warmBuildCpuSeconds(): number {
  return warmCpuSeconds;
}

/** The warm process's id, for tests (undefined when none is running). */
export function warmProcessId(): number | undefined {
  return current?.exited === false ? current.child.pid : undefined;
}

/**
 * Called when a test file ends (./per-file-setup.ts): a build still running belongs to that file
 * (a worker runs one file at a time) and nobody will read it, so its process is killed; an idle
 * one is kept for the worker's next file.
 */
export function endOfTestFile(): void {
  if (current?.pending) stop(current);
}

// The worker is ending: take the warm process with it (it also ends itself when the channel
// closes). The worker will not wait for it, so its CPU time would be missing from the run's:
// with PETITION_TEST_WARM_LOG=<file> it is written there (as the process does on a disconnect).
process.once('exit', () => {
  if (!current || current.exited || current.child.pid === undefined) return;
  const cpu = processCpuSync(current.child.pid);
  const log = process.env.PETITION_TEST_WARM_LOG;
  if (log && cpu)
    appendFileSync(
      log,
      `${JSON.stringify({ pid: current.child.pid, end: 'worker exit', builds: current.builds, ...cpu })}\n`,
    );
  current.child.kill('SIGKILL');
});
