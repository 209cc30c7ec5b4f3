import { gunzipSync } from 'node:zlib';
/**
 * The commands the README promises: a build leaves no stale pages, `npm run demo` serves where
 * the real site lives, and `npm start`, `npm run demo` and `try-locally --serve` stop their
 * Eleventy server when they are stopped with SIGTERM.
 */
import type { ChildProcess } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eleventyArguments } from '../../scripts/tooling/eleventy-command.ts';
import { OWNER_VARIABLE, processesMarked, runTracked, spawnTracked } from '../helpers/processes.ts';
import { projectRoot } from '../helpers/site.ts';

// These commands run on the live project: its own settings say where they serve.
const liveSettings = JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')) as {
  title: string;
  path_prefix: string;
};
const PREFIX = liveSettings.path_prefix;
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts an npm command in its own process group and collects what it prints. */
function startNpm(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawnTracked('npm', args, {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { child, output: () => output };
}

/** Sends SIGTERM to npm alone (not its group, as a process manager would) and waits for every process of this file to end. */
async function stopAndExpectNothingLeft(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(child.pid!, 'SIGTERM');
  await exited;
  await expect
    .poll(() => processesMarked(OWNER_VARIABLE, process.env[OWNER_VARIABLE]!), { timeout: 10_000, interval: 250 })
    .toEqual([]);
}

describe('npm run build', () => {
  it('empties the output folder first, so pages of an earlier build with more signatures do not survive', async () => {
    const output = path.join(await mkdtemp(path.join(os.tmpdir(), 'petition-stale-')), '_site');
    await mkdir(path.join(output, 'signatures/3'), { recursive: true });
    await writeFile(path.join(output, 'signatures/3/index.html'), 'stale: 3,000 sample signers');
    const result = await runTracked(process.execPath, eleventyArguments({ output }), {
      cwd: projectRoot,
      env: { ...process.env, SIGNATURES_DIR: path.join(projectRoot, 'test/fixtures/signatures/none') },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(await exists(path.join(output, 'signatures/3/index.html'))).toBe(false);
    expect(await exists(path.join(output, 'signatures/1/index.html'))).toBe(true);
  });

  it('refuses to empty an output folder that holds the project', async () => {
    const result = await runTracked(process.execPath, eleventyArguments({ output: '..' }), {
      cwd: projectRoot,
      env: { ...process.env, SIGNATURES_DIR: path.join(projectRoot, 'test/fixtures/signatures/none') },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Refusing to empty the output folder');
    expect(await exists(path.join(projectRoot, 'package.json'))).toBe(true);
  });
});

describe('the serving commands', () => {
  it('npm start serves under the path prefix and stops Eleventy when stopped with SIGTERM', async () => {
    const port = await freePort();
    const output = path.join(await mkdtemp(path.join(os.tmpdir(), 'petition-start-')), '_site');
    const { child, output: printed } = startNpm(['start', '--', `--output=${output}`], { PORT: String(port) });
    await expect.poll(printed, { timeout: 60_000, interval: 250 }).toContain(`Server at`);
    const response = await fetch(`http://localhost:${port}${PREFIX}`);
    expect(response.status).toBe(200);
    await stopAndExpectNothingLeft(child);
  });

  it('npm run demo serves its sample signatures where the real site lives, says where, and cleans up on SIGTERM', async () => {
    const port = await freePort();
    const { child, output: printed } = startNpm(['run', 'demo', '--', '30'], { PORT: String(port) });
    await expect.poll(printed, { timeout: 60_000, interval: 250 }).toContain('Server at');
    expect(printed()).toContain(`http://localhost:${port}${PREFIX}`);
    const home = await fetch(`http://localhost:${port}${PREFIX}`);
    expect(home.status).toBe(200);
    const tally = (await (await fetch(`http://localhost:${port}${PREFIX}data/tally.json`)).json()) as {
      signature_count: number;
    };
    expect(tally.signature_count).toBe(30);
    const samples = /to (\S+); building/.exec(printed())![1]!;
    expect(await exists(samples)).toBe(true);
    await stopAndExpectNothingLeft(child);
    expect(await exists(path.dirname(samples))).toBe(false);
  });

  it('try-locally -- --serve prints plain text, serves under the path prefix and stops on SIGTERM', async () => {
    const port = await freePort();
    const { child, output: printed } = startNpm(['run', 'try-locally', '--', '--serve'], { PORT: String(port) });
    await expect.poll(printed, { timeout: 90_000, interval: 250 }).toContain('Server at');
    expect(printed()).toContain('Accepted');
    expect(printed()).not.toMatch(/&(quot|amp|lt|gt|#39);/);
    const response = await fetch(`http://localhost:${port}${PREFIX}signatures/`);
    expect(await response.text()).toContain('data-part="1"');
    // The list page's entries come from the open data's part, served as the gzip file it is.
    const part = Buffer.from(
      await (await fetch(`http://localhost:${port}${PREFIX}data/signatures/1.csv.gz`)).arrayBuffer(),
    );
    expect(gunzipSync(part).toString('utf8')).toContain('Анна Петрова');
    await stopAndExpectNothingLeft(child);
  });
});

describe('the README', () => {
  it('names the URL that npm start and the demo actually serve, wherever it names a local URL of this petition', async () => {
    const readme = await readFile(path.join(projectRoot, 'README.md'), 'utf8');
    // A fork keeps the template's README until its campaigners rewrite it: its local URLs are the
    // template's, and the commands print their own. A README that names this petition's title
    // was written for it, and must name where its commands serve.
    const local = readme.match(/http:\/\/localhost:8080\/[\w./-]*/g) ?? [];
    for (const url of local) expect(url).toMatch(/^http:\/\/localhost:8080\/(?:[\w.-]+\/)?$/);
    if (readme.includes(liveSettings.title)) expect(local).toContain(`http://localhost:8080${PREFIX}`);
  });
});
