/**
 * The warm build process of test/helpers/warm-build.ts: one long-lived Node process (started with
 * the flags of scripts/tooling/eleventy-command.ts) that runs Eleventy builds one after another
 * as `node_modules/@11ty/eleventy/cmd.cjs --config=.eleventy.ts --output=… --quiet` would, without
 * paying for Node, tsx, Eleventy and scripts/site to load and warm up each time.
 *
 * Protocol: the parent sends `{ id, cwd, env, output }` over the IPC channel. The build runs with
 * exactly `env` as process.env and `cwd` as working directory, both restored afterwards. Whatever
 * it prints goes to this process's stdout and stderr as it would in a cold build (pipes are
 * written synchronously on Linux), and the end of each build is a marker written to both
 * streams: the parent cuts each build's log at it, so nothing printed is lost or misplaced.
 *
 * What Eleventy keeps per process and not per `new Eleventy` is cleared before each build (see
 * {@link resetEleventyState}). A build that calls `process.exit` ends this process, as it would
 * end a cold one; the parent starts another.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { processCpuSync } from './processes.ts';

/** One build request from the parent. */
interface BuildRequest {
  id: number;
  cwd: string;
  env: Record<string, string>;
  output: string;
}

// Eleventy's own modules, by their resolved files: the same instances `@11ty/eleventy` uses.
const eleventyEntry = import.meta.resolve('@11ty/eleventy');
const eleventySource = (file: string) => new URL(file, eleventyEntry).href;
const { Eleventy } = (await import(eleventyEntry)) as { Eleventy: EleventyClass };
const { EleventyErrorHandler } = (await import(eleventySource('Errors/EleventyErrorHandler.js'))) as {
  EleventyErrorHandler: new () => ErrorHandler;
};
const layoutCache = ((await import(eleventySource('LayoutCache.js'))) as { default: { removeAll(): void } }).default;
const TemplateContent = ((await import(eleventySource('TemplateContent.js'))) as { default: TemplateContentStatics })
  .default;

interface ErrorHandler {
  fatal(error: unknown, message: string): void;
}
interface EleventyInstance {
  errorHandler: ErrorHandler;
  setFormats(formats: string | undefined): void;
  init(): Promise<void>;
  setIgnoreInitial(ignore: boolean): void;
  write(): Promise<unknown>;
}
type EleventyClass = new (
  input: string | undefined,
  output: string,
  options: Record<string, unknown>,
) => EleventyInstance;
interface TemplateContentStatics {
  _inputCache: Map<string, unknown>;
  _compileCache: Map<string, unknown>;
}

/** The marker that ends a build's output on both streams (the parent passes the nonce in argv). */
const nonce = process.argv[2] ?? '';
const endMarker = (id: number, code: number, cpu: NodeJS.CpuUsage) =>
  `\0warm-build-end:${nonce}:${id}:${code}:${process.memoryUsage().rss}:${cpu.user + cpu.system}\0`;

/**
 * Clears what Eleventy 3.1 keeps in module-level singletons, which a CLI build never sees twice:
 * - LayoutCache: compiled layouts, bound to the first build's filters (a second build printed the
 *   first one's share-card alt text). Eleventy clears it itself on `eleventy.resourceModified`.
 * - TemplateContent's input cache: each template file's text by absolute path, so a test that
 *   changes a page in its project copy and builds again would get the old text.
 * - TemplateContent's compile cache: keyed by each build's configuration, so never reused; cleared
 *   so that it does not grow with every build.
 */
function resetEleventyState(): void {
  layoutCache.removeAll();
  TemplateContent._inputCache.clear();
  TemplateContent._compileCache.clear();
}

/** The environment this process started with, put back after each build. */
const baseEnv = { ...process.env };
const baseCwd = process.cwd();

function setEnvironment(env: Record<string, string | undefined>): void {
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  for (const [name, value] of Object.entries(env)) if (value !== undefined) process.env[name] = value;
}

/** The error handler of the build running now: cmd.cjs reports stray rejections through it. */
let currentHandler: ErrorHandler | undefined;
/** Set when something escaped a build: this process finishes the build's report and ends. */
let retire = false;

function reportStray(error: unknown, message: string): void {
  (currentHandler ?? new EleventyErrorHandler()).fatal(error, message);
  retire = true;
  if (!currentHandler) process.exit(1);
}
process.on('unhandledRejection', (error) => reportStray(error, 'Unhandled rejection in promise'));
process.on('uncaughtException', (error) => reportStray(error, 'Uncaught exception'));
let builds = 0;
// The parent (a vitest worker) is gone: nothing will ask for a build again. Nobody waits for this
// process now, so its CPU time would be missing from the run's (`/usr/bin/time`): with
// PETITION_TEST_WARM_LOG=<file> it writes it there.
process.on('disconnect', () => {
  const log = baseEnv.PETITION_TEST_WARM_LOG;
  const cpu = processCpuSync('self');
  if (log && cpu) appendFileSync(log, `${JSON.stringify({ pid: process.pid, end: 'worker gone', builds, ...cpu })}\n`);
  process.exit(0);
});

/** What cmd.cjs does for `--config=.eleventy.ts --output=<output> --quiet`. */
async function runEleventy(output: string): Promise<void> {
  try {
    const eleventy = new Eleventy(undefined, output, {
      source: 'cli',
      quietMode: true,
      configPath: '.eleventy.ts',
      pathPrefix: undefined,
      runMode: 'build',
      dryRun: false,
      loader: undefined,
    });
    currentHandler = eleventy.errorHandler;
    eleventy.setFormats(undefined);
    await eleventy.init();
    eleventy.setIgnoreInitial(false);
    await eleventy.write();
  } catch (error) {
    new EleventyErrorHandler().fatal(error, 'Eleventy Fatal Error (CLI)');
  }
}

async function build(request: BuildRequest): Promise<void> {
  setEnvironment(request.env);
  process.chdir(request.cwd);
  process.exitCode = undefined;
  builds += 1;
  const cpuAtStart = process.cpuUsage();
  let code: number;
  try {
    resetEleventyState();
    await runEleventy(path.resolve(request.output));
    code = Number(process.exitCode ?? 0);
  } finally {
    currentHandler = undefined;
    process.exitCode = undefined;
    process.chdir(baseCwd);
    setEnvironment(baseEnv);
  }
  const marker = endMarker(request.id, code, process.cpuUsage(cpuAtStart));
  process.stdout.write(marker);
  process.stderr.write(marker);
  if (retire) process.exit(0);
}

// One build at a time: each owns process.env and the working directory while it runs.
let queue = Promise.resolve();
process.on('message', (request: BuildRequest) => {
  queue = queue.then(() => build(request));
});
process.send?.({ ready: true });
