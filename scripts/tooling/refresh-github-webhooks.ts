/**
 * `npm run refresh:github-webhooks [-- VERSION]`: refreshes the real webhook payloads the fake
 * GitHub shapes its issues and comments from, and that the processor tests replay (issues opened,
 * edited, reopened; a comment created), from @octokit/webhooks-examples (MIT).
 *
 * The package is 9 MB for the two events we read; this script downloads it with `npm pack` (the
 * npm registry, nothing else) into a temporary folder, keeps those events' examples, and writes
 * test/fixtures/github-webhooks/examples.json in the package's own shape.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTRACT = path.join(projectRoot, 'test/fixtures/github-webhooks/examples.json');
const FILE = 'api.github.com/index.json';
/** The events whose examples the tests use. */
const EVENTS = ['issues', 'issue_comment'];

interface Extract {
  source: { package: string; version: string; file: string };
  events: Array<{ name: string; examples: unknown[] }>;
}

async function main(): Promise<void> {
  const current = await readFile(EXTRACT, 'utf8').then(
    (text) => (JSON.parse(text) as Extract).source.version,
    () => undefined,
  );
  const spec = `@octokit/webhooks-examples@${process.argv[2] ?? current ?? 'latest'}`;
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-webhooks-'));
  try {
    console.log(`Downloading ${spec} with npm pack…`);
    const { stdout } = await run('npm', ['pack', spec, '--json', '--pack-destination', work]);
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; version: string }>;
    await run('tar', ['-xzf', path.join(work, packed!.filename), '-C', work, `package/${FILE}`]);
    const all = JSON.parse(await readFile(path.join(work, 'package', FILE), 'utf8')) as Array<{
      name: string;
      examples: unknown[];
    }>;
    const extract: Extract = {
      source: { package: '@octokit/webhooks-examples', version: packed!.version, file: FILE },
      events: EVENTS.map((name) => {
        const event = all.find((entry) => entry.name === name);
        if (!event) throw new Error(`${spec} has no "${name}" examples.`);
        return { name, examples: event.examples };
      }),
    };
    await writeFile(EXTRACT, `${JSON.stringify(extract)}\n`);
    console.log(
      `Wrote ${path.relative(projectRoot, EXTRACT)} from ${spec.split('@').slice(0, 2).join('@')} ${packed!.version}.`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
