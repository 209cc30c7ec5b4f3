/** Test helpers: build the real site into a temporary folder, read it back, validate it. */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { access, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHTML } from 'linkedom';
import { eleventyArguments } from '../../scripts/tooling/eleventy-command.ts';
import { JAVA_INSTALL_HINT } from '../../scripts/tooling/install-hints.ts';
import { folderDigest, sharedBuild, stableJson } from './build-cache.ts';
import { fixtureSettings, petitionProject, sharedFixtureName } from './petitions.ts';
import { runTracked } from './processes.ts';
import { warmBuild } from './warm-build.ts';
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The settings of the petition the build tests build by default: the amur-leopard fixture
 * (test/helpers/petitions.ts), not content/, so that a campaigner's edit of content/ does not
 * change what these tests expect.
 */
export const baseSettings = await fixtureSettings('amur-leopard');

export interface BuiltSite {
  output: string;
  /** Everything the build printed on stderr (warnings about skipped files). */
  log: string;
  read(relativePath: string): Promise<string>;
  dom(relativePath: string): Promise<Document>;
  /** The open data as a reader gets it: the index, and the CSV text of each part and of all of them joined, uncompressed. */
  openData(): Promise<OpenData>;
}

export interface OpenData {
  index: {
    signature_count: number;
    digest: { value: string };
    columns: string[];
    rows_per_part: number;
    parts: { url: string; first: number; last: number; rows: number; bytes: number; sha256: string }[];
  };
  /** Every part's rows after one header, as a reader who joins the parts gets them. */
  fullCsv: string;
  /** Each part, uncompressed, in the index's order. */
  partCsvs: string[];
}

/**
 * Runs the real Eleventy build (as `npm run build` does) against `signaturesDir`, with settings
 * changed by `settings`, into a fresh temporary folder.
 *
 * A build of the shared fixture project whose inputs (signature files, settings, environment)
 * equal one made earlier in the run is not made again: the caller gets a hard-linked copy of it
 * (./build-cache.ts). Read the output and remove it freely; copy it before changing a file. Either
 * way the settings the build read are in settings.json beside the output folder.
 * PETITION_TEST_BUILD_CACHE=off builds every time. The build runs in the worker's warm build
 * process (./warm-build.ts) when it can; PETITION_TEST_WARM_BUILDS=off starts a cold one each time.
 */
export async function buildSite({
  signaturesDir,
  settings = {},
  env = {},
  root,
}: {
  signaturesDir: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** The project to build: a copy made by a test (a fork with other content); the amur-leopard fixture by default. */
  root?: string;
}): Promise<BuiltSite> {
  root ??= await petitionProject('amur-leopard');
  const own = JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')) as Record<string, unknown>;
  const merged = { ...own, ...settings };
  const buildEnv: Record<string, string | undefined> = {
    ...process.env,
    SIGNATURES_DIR: signaturesDir,
    PATH_PREFIX: '',
    SITE_URL: '',
    PETITION_REPOSITORY: '',
    ...env,
  };
  const build = async (output: string): Promise<string> => {
    const settingsPath = path.join(path.dirname(output), 'settings.json');
    await mkdir(path.dirname(output), { recursive: true });
    await writeFile(settingsPath, JSON.stringify(merged));
    const env = { ...buildEnv, PETITION_SETTINGS: settingsPath };
    // In this worker's warm build process when it can (./warm-build.ts): the same site and log.
    const { stdout, stderr, code, signal } =
      (await warmBuild(root, env, output)) ??
      (await runTracked(process.execPath, eleventyArguments({ output }), { cwd: root, env }));
    if (code !== 0) throw new Error(`The Eleventy build failed (${signal ?? `exit ${code}`}):\n${stderr}`);
    return `${stdout}\n${stderr}`;
  };
  const key = await buildKey(root, signaturesDir, merged, buildEnv);
  let output: string;
  let log: string;
  if (key) {
    // The log names the signature folder (skipped files); a shared build's names this caller's.
    const folder = path.resolve(root, signaturesDir);
    const shared = await sharedBuild(key, async (made) => (await build(made)).split(folder).join(FOLDER_MARK));
    output = shared.output;
    log = shared.log.split(FOLDER_MARK).join(folder);
    // The settings the build read, beside the output as in an unshared build (tests rerun commands with them).
    await writeFile(path.join(path.dirname(output), 'settings.json'), JSON.stringify(merged));
  } else {
    output = path.join(await mkdtemp(path.join(os.tmpdir(), 'petition-build-')), '_site');
    log = await build(output);
  }
  const read = (relativePath: string) => readFile(path.join(output, relativePath), 'utf8');
  return {
    output,
    log,
    read,
    dom: async (relativePath: string) => parseHTML(await read(relativePath)).document as unknown as Document,
    openData: () => readOpenData(output),
  };
}

const FOLDER_MARK = '\0signatures folder\0';

/** Variables that differ between test files without changing what a build makes. */
const VOLATILE_VARIABLE = /^(?:VITEST|PETITION_TEST_|SIGNATURES_DIR$|PETITION_SETTINGS$|TMPDIR$|OLDPWD$|PWD$|_$)/;

/**
 * The cache key of a build (./build-cache.ts), or undefined for one that is not shared: a project
 * other than a shared fixture (a test's own copy, which it may change), signatures read through
 * git (their repository and record cache are inputs outside the folder), or the cache turned off.
 * Without SOURCE_DATE_EPOCH a build reads the clock, so builds of two days are never shared.
 */
async function buildKey(
  root: string,
  signaturesDir: string,
  settings: Record<string, unknown>,
  env: Record<string, string | undefined>,
): Promise<string | undefined> {
  const fixture = sharedFixtureName(root);
  if (!fixture || env.PETITION_SIGNATURES === 'git' || process.env.PETITION_TEST_BUILD_CACHE === 'off')
    return undefined;
  const signatures = await folderDigest(signaturesDir).catch(() => undefined);
  if (!signatures) return undefined;
  const variables = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => value !== undefined && !VOLATILE_VARIABLE.test(name)),
  );
  const day = env.SOURCE_DATE_EPOCH ? undefined : new Date().toISOString().slice(0, 10);
  return createHash('sha256').update(stableJson({ fixture, signatures, settings, variables, day })).digest('hex');
}

/**
 * Reads the open data the way its index tells a reader to, checking every file's size and SHA-256
 * against the index on the way.
 */
export async function readOpenData(output: string): Promise<OpenData> {
  const folder = path.join(output, 'data/signatures');
  const index = JSON.parse(await readFile(path.join(folder, 'index.json'), 'utf8')) as OpenData['index'];
  const fetchChecked = async (entry: { url: string; bytes: number; sha256: string }) => {
    const bytes = await readFile(path.join(folder, entry.url));
    if (bytes.length !== entry.bytes || createHash('sha256').update(bytes).digest('hex') !== entry.sha256)
      throw new Error(`${entry.url} does not match its size and SHA-256 in data/signatures/index.json`);
    return gunzipSync(bytes).toString('utf8');
  };
  const partCsvs: string[] = [];
  for (const part of index.parts) partCsvs.push(await fetchChecked(part));
  const header = partCsvs[0]?.slice(0, partCsvs[0].indexOf('\r\n') + 2) ?? '';
  const fullCsv = header + partCsvs.map((csv) => csv.slice(header.length)).join('');
  return { index, fullCsv, partCsvs };
}

/** Every file under `directory` with one of the extensions, as paths relative to it. */
export async function listFiles(directory: string, extensions: string[]): Promise<string[]> {
  const entries = (await readdir(directory, { recursive: true })) as string[];
  return entries.filter((entry) => extensions.some((extension) => entry.endsWith(extension))).sort();
}

export interface VnuMessage {
  type: string;
  url: string;
  message: string;
  lastLine?: number;
  extract?: string;
}

/**
 * How the checker's JVM runs: the quick compiler only and one garbage-collector thread. A check
 * is a short run, where the optimising compiler's work never pays back: this takes about half the
 * CPU time and a third of the wall time of the default on 2 cores (measured on a fixture site and
 * on 384 pages; the report is byte for byte the same). The quick compiler's code needs a bigger
 * stack than the checker's minimum (512 KB): 16 MB, reserved, not used.
 */
const JAVA_FLAGS = ['-Xss16m', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * Runs the Nu HTML checker once over every HTML file in `directory`; returns its errors. Throws,
 * naming what to install, when the checker cannot run: a check that cannot run must not pass.
 */
export async function checkHtml(directory: string): Promise<VnuMessage[]> {
  const jar = path.join(projectRoot, 'node_modules/vnu-jar/build/dist/vnu.jar');
  await access(jar).catch(() => {
    throw new Error(`The Nu HTML checker is missing (${jar}): run \`npm ci\`.`);
  });
  const files = (await listFiles(directory, ['.html'])).map((file) => path.join(directory, file));
  if (files.length === 0) throw new Error(`No HTML files to check in ${directory}.`);
  const result = await runTracked('java', [
    ...JAVA_FLAGS,
    '-jar',
    jar,
    '--format',
    'json',
    '--errors-only',
    ...files,
  ]).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new Error(`The Nu HTML checker needs Java, and \`java\` was not found. ${JAVA_INSTALL_HINT}`);
    throw error;
  });
  // vnu writes its JSON report to stderr and exits 1 when it finds errors; anything else is a
  // checker that did not run (no Java runtime it can use, a broken jar).
  let report: { messages: VnuMessage[] };
  try {
    report = JSON.parse(result.stderr) as { messages: VnuMessage[] };
  } catch {
    throw new Error(
      `The Nu HTML checker did not run (java exited ${result.code ?? result.signal}): ${result.stderr.slice(0, 2000)}\n${JAVA_INSTALL_HINT}`,
    );
  }
  if (!Array.isArray(report.messages) || (result.code !== 0 && report.messages.length === 0))
    throw new Error(`The Nu HTML checker exited ${result.code ?? result.signal} without a report: ${result.stderr}`);
  return report.messages.filter((message) => message.type === 'error' || message.type === 'non-document-error');
}
