/**
 * `npm run refresh:github-openapi [-- VERSION]`: refreshes the part of GitHub's OpenAPI
 * description that test/fake-github/openapi-conformance.test.ts checks the fake GitHub against.
 *
 * The whole description (@octokit/openapi) is 385 MB unpacked, more than the rest of the
 * install together; the test needs the full schemas of the few operations the fake serves and
 * the names of all the others. This script downloads the package with `npm pack` (the npm
 * registry, nothing else) into a temporary folder, keeps that much, and writes
 * test/fixtures/github-openapi/api.github.com.extract.json. Without VERSION it takes the
 * version the extract came from; `latest` takes the newest.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXTRACT = path.join(projectRoot, 'test/fixtures/github-openapi/api.github.com.extract.json');
const FILE = 'generated/api.github.com.deref.json';

/**
 * The operations the fake GitHub (scripts/tooling/fake-github/server.ts) serves, whose schemas the test
 * validates answers and requests against. The conformance test fails, naming this list, when
 * the fake answers an operation that is missing here.
 */
export const SERVED_OPERATIONS: readonly string[] = [
  'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
  'GET /rate_limit',
  // Its 404 is GitHub's "basic error", which the test uses for answers to unknown routes.
  'GET /repos/{owner}/{repo}',
  'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
  'GET /repos/{owner}/{repo}/actions/runs',
  'GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts',
  'GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs',
  'GET /repos/{owner}/{repo}/commits',
  'GET /repos/{owner}/{repo}/contents/{path}',
  'GET /repos/{owner}/{repo}/git/commits/{commit_sha}',
  'GET /repos/{owner}/{repo}/git/ref/{ref}',
  'GET /repos/{owner}/{repo}/issues',
  'GET /repos/{owner}/{repo}/issues/{issue_number}',
  'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'GET /repos/{owner}/{repo}/labels',
  'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
  'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
  'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
  'POST /repos/{owner}/{repo}/git/commits',
  'POST /repos/{owner}/{repo}/git/trees',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  'POST /repos/{owner}/{repo}/labels',
];

/** What the extract holds. */
export interface OpenApiExtract {
  source: { package: string; version: string; file: string };
  openapi: string;
  /** The served operations, as in the description: requestBody and responses, dereferenced. */
  paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
  /** Every other operation GitHub documents, as "METHOD /template". */
  otherOperations: string[];
}

/** Keeps the served operations whole (minus prose) and only the names of the rest. */
export function extractDescription(
  description: { openapi: string; paths: Record<string, Record<string, unknown>> },
  version: string,
): OpenApiExtract {
  const paths: OpenApiExtract['paths'] = {};
  const otherOperations: string[] = [];
  const wanted = new Set(SERVED_OPERATIONS);
  for (const [template, item] of Object.entries(description.paths)) {
    for (const [method, described] of Object.entries(item)) {
      if (!described || typeof described !== 'object' || !('responses' in described)) continue;
      const operation = described as { requestBody?: unknown; responses: unknown };
      const name = `${method.toUpperCase()} ${template}`;
      if (!wanted.delete(name)) {
        otherOperations.push(name);
        continue;
      }
      (paths[template] ??= {})[method] = stripProse({
        requestBody: operation.requestBody,
        responses: operation.responses,
      }) as { responses: Record<string, unknown> };
    }
  }
  if (wanted.size > 0) throw new Error(`GitHub's description no longer has: ${[...wanted].join(', ')}`);
  return {
    source: { package: '@octokit/openapi', version, file: FILE },
    openapi: description.openapi,
    paths,
    otherOperations: otherOperations.sort(),
  };
}

/** Descriptions and examples are prose for people: the validator ignores them. */
function stripProse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripProse);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !['description', 'summary', 'example', 'examples'].includes(key))
      .map(([key, inner]) => [key, key === 'properties' ? propertiesWithoutProse(inner) : stripProse(inner)]),
  );
}

/** Under `properties` the keys are field names ("description" may be one), not keywords. */
function propertiesWithoutProse(properties: unknown): unknown {
  return Object.fromEntries(
    Object.entries(properties as Record<string, unknown>).map(([key, inner]) => [key, stripProse(inner)]),
  );
}

async function main(): Promise<void> {
  const asked = process.argv[2];
  const current = await readFile(EXTRACT, 'utf8').then(
    (text) => (JSON.parse(text) as OpenApiExtract).source.version,
    () => undefined,
  );
  const spec = `@octokit/openapi@${asked ?? current ?? 'latest'}`;
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-openapi-'));
  try {
    console.log(`Downloading ${spec} with npm pack…`);
    const { stdout } = await run('npm', ['pack', spec, '--json', '--pack-destination', work], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; version: string }>;
    await run('tar', ['-xzf', path.join(work, packed!.filename), '-C', work, `package/${FILE}`]);
    const description = JSON.parse(await readFile(path.join(work, 'package', FILE), 'utf8'));
    const extract = extractDescription(description, packed!.version);
    await writeFile(EXTRACT, `${JSON.stringify(extract)}\n`);
    const size = Buffer.byteLength(JSON.stringify(extract));
    console.log(
      `Wrote ${path.relative(projectRoot, EXTRACT)} from @octokit/openapi ${packed!.version}: ` +
        `${SERVED_OPERATIONS.length} operations with schemas, ${extract.otherOperations.length} by name, ${(size / 1024).toFixed(0)} KB.`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
