/** Test helpers: build the real site into a temporary folder, read it back, validate it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseHTML } from 'linkedom';
import { eleventyArguments } from '../../scripts/eleventy-command.ts';

const run = promisify(execFile);
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const baseSettings = JSON.parse(
  await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8'),
) as Record<string, unknown>;

export interface BuiltSite {
  output: string;
  /** Everything the build printed on stderr (warnings about skipped files). */
  log: string;
  read(relativePath: string): Promise<string>;
  dom(relativePath: string): Promise<Document>;
}

/**
 * Runs the real Eleventy build (as `npm run build` does) against `signaturesDir`, with settings
 * changed by `settings`, into a fresh temporary folder.
 */
export async function buildSite({
  signaturesDir,
  settings = {},
  env = {},
}: {
  signaturesDir: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
}): Promise<BuiltSite> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-build-'));
  const output = path.join(work, '_site');
  const settingsPath = path.join(work, 'settings.json');
  await writeFile(settingsPath, JSON.stringify({ ...baseSettings, ...settings }));
  const { stdout, stderr } = await run(process.execPath, eleventyArguments({ output }), {
    cwd: projectRoot,
    env: {
      ...process.env,
      SIGNATURES_DIR: signaturesDir,
      PETITION_SETTINGS: settingsPath,
      PATH_PREFIX: '',
      SITE_URL: '',
      PETITION_REPOSITORY: '',
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  const read = (relativePath: string) => readFile(path.join(output, relativePath), 'utf8');
  return {
    output,
    log: `${stdout}\n${stderr}`,
    read,
    dom: async (relativePath: string) => parseHTML(await read(relativePath)).document as unknown as Document,
  };
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

/** Runs the Nu HTML checker once over every HTML file in `directory`; returns its errors. */
export async function checkHtml(directory: string): Promise<VnuMessage[]> {
  const jar = path.join(projectRoot, 'node_modules/vnu-jar/build/dist/vnu.jar');
  const files = (await listFiles(directory, ['.html'])).map((file) => path.join(directory, file));
  const result = await run('java', ['-jar', jar, '--format', 'json', '--errors-only', ...files], {
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout: string; stderr: string }) => error);
  // vnu writes its JSON report to stderr and exits non-zero when it finds errors.
  const report = JSON.parse(result.stderr || '{"messages":[]}') as { messages: VnuMessage[] };
  return report.messages.filter((message) => message.type === 'error' || message.type === 'non-document-error');
}
