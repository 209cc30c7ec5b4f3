/**
 * The fake GitHub is only as good as its likeness to GitHub. These tests drive the real processor
 * through a representative series of runs (pagination, new labels, receipts, a rejected signer who
 * fixes the issue, a withdrawal, a stale branch head, a secondary rate limit), add direct requests
 * for the remaining routes and error cases (Actions runs and artifacts among them), and check
 * every answer the fake gave against GitHub's published OpenAPI description (@octokit/openapi):
 * the status is one the operation documents, and the body validates against the operation's
 * schema for that status. The fake's blob storage, where an artifact's download redirects, is not
 * part of the API and is checked on its own.
 *
 * The description is 385 MB; the test reads an extract of it (the served operations whole, the
 * rest by name) that `npm run refresh:github-openapi` regenerates from the package.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
// Real webhook payloads from @octokit/webhooks-examples (npm run refresh:github-webhooks).
import webhookFixture from '../fixtures/github-webhooks/examples.json' with { type: 'json' };

const webhookExamples = webhookFixture.events;
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signatureRelativePath } from '../../scripts/core/signature-file.ts';
import type { OpenApiExtract } from '../../scripts/tooling/refresh-github-openapi.ts';
import { projectRoot } from '../helpers/site.ts';
import { makeCheckout, OWNER, REPO, runProcessor, signBody, syncCheckout, withdrawBody } from '../processor/harness.ts';
import {
  REPO_ID,
  secondaryRateLimit,
  startFakeGitHub,
  type FakeExchange,
  type FakeGitHub,
  type FakeIssueInput,
} from '../../scripts/tooling/fake-github/server.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Schema = Record<string, any>;
interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalLength: number;
  requestSchema?: Schema;
  /** Undefined for an operation the extract names but does not carry. */
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

const description = JSON.parse(
  await readFile(path.join(projectRoot, 'test/fixtures/github-openapi/api.github.com.extract.json'), 'utf8'),
) as OpenApiExtract & { paths: Record<string, Record<string, any>> };

/** Path parameters that may hold slashes: a ref ("heads/main") and a file path. */
const SLASHED = new Set(['{ref}', '{path}']);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const operation = (method: string, template: string, described?: Record<string, any>): Operation => {
  const parts = template.split(/(\{[^}]+\})/).filter(Boolean);
  return {
    method: method.toUpperCase(),
    template,
    pattern: new RegExp(
      `^${parts
        .map((part) => (part.startsWith('{') ? (SLASHED.has(part) ? '(.+)' : '([^/]+)') : escapeRegExp(part)))
        .join('')}$`,
    ),
    literalLength: parts.filter((part) => !part.startsWith('{')).join('').length,
    requestSchema: described?.requestBody?.content?.['application/json']?.schema,
    responses: described?.responses,
  };
};
const operations: Operation[] = [
  ...Object.entries(description.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, described]) => operation(method, template, described)),
  ),
  ...description.otherOperations.map((name) => {
    const [method, template] = name.split(' ') as [string, string];
    return operation(method, template);
  }),
];
const NOT_EXTRACTED = 'is not in the extract: add it to SERVED_OPERATIONS in scripts/tooling/refresh-github-openapi.ts';

/** The documented operation for a request: the matching template with the most literal text. */
function operationFor(method: string, target: string): Operation | undefined {
  const pathname = new URL(target, 'http://x').pathname.replace(
    new RegExp(`^/repositories/${REPO_ID}/`),
    `/repos/${OWNER}/${REPO}/`,
  );
  return operations
    .filter((operation) => operation.method === method && operation.pattern.test(pathname))
    .sort((a, b) => b.literalLength - a.literalLength)[0];
}

/** OpenAPI 3.0's `nullable: true` becomes JSON Schema's "or null". */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const converted: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    converted[key] =
      key === 'properties' || key === 'patternProperties'
        ? Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, toJsonSchema(sub)]))
        : toJsonSchema(value);
  }
  return (schema as Schema).nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
// Formats GitHub's description names that JSON Schema has no validator for.
ajv.addFormat('repo.nwo', /^[\w.-]+\/[\w.-]+$/);
ajv.addFormat('timestamp', true);
const compiled = new Map<string, ValidateFunction>();
function validatorFor(operation: Operation, status: number): ValidateFunction | undefined {
  const key = `${operation.method} ${operation.template} ${status}`;
  if (!compiled.has(key)) {
    const schema = operation.responses![String(status)]?.content?.['application/json']?.schema;
    if (!schema) return undefined;
    compiled.set(key, ajv.compile(toJsonSchema(schema) as Schema));
  }
  return compiled.get(key);
}

function requestValidatorFor(operation: Operation): ValidateFunction | undefined {
  const key = `${operation.method} ${operation.template} request`;
  if (!compiled.has(key) && operation.requestSchema)
    compiled.set(key, ajv.compile(toJsonSchema(operation.requestSchema) as Schema));
  return compiled.get(key);
}

/**
 * Answers GitHub gives to any request, which the description leaves to its prose on
 * authentication and rate limits rather than listing under each operation.
 */
const CROSS_CUTTING = new Set([401, 403, 429]);
const basicError = toJsonSchema(
  description.paths['/repos/{owner}/{repo}']!.get.responses['404'].content['application/json'].schema,
) as Schema;
const validateBasicError = ajv.compile(basicError);

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .slice(0, 8)
    .map((error) => `${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`)
    .join('; ');

/** Every way an answer departs from the description, as readable lines. */
function nonConformances(exchanges: FakeExchange[]): string[] {
  const problems: string[] = [];
  for (const exchange of exchanges) {
    const where = `${exchange.method} ${exchange.url} → ${exchange.status}`;
    const operation = operationFor(exchange.method, exchange.url);
    if (!operation) {
      if (exchange.status !== 404) problems.push(`${where}: no such operation in GitHub's description`);
      else if (!validateBasicError(exchange.body))
        problems.push(`${where}: ${describeErrors(validateBasicError.errors)}`);
      continue;
    }
    if (!operation.responses) {
      problems.push(`${where}: ${operation.method} ${operation.template} ${NOT_EXTRACTED}`);
      continue;
    }
    const documented = String(exchange.status) in operation.responses;
    if (!documented && !CROSS_CUTTING.has(exchange.status)) {
      problems.push(
        `${where}: status not documented for ${operation.method} ${operation.template} (${Object.keys(operation.responses).join(', ')})`,
      );
      continue;
    }
    const validate = documented ? validatorFor(operation, exchange.status) : validateBasicError;
    if (validate && !validate(exchange.body)) problems.push(`${where}: ${describeErrors(validate.errors)}`);
    if (!validate && exchange.body !== undefined)
      problems.push(`${where}: GitHub documents no body for this answer, the fake sent one`);
  }
  return problems;
}

const examples = webhookExamples as unknown as Array<{
  name: string;
  examples: Array<{ action?: string; issue?: Record<string, any> }>;
}>;
const issuesEvent = (action: string, number: number) => {
  const example = examples.find((e) => e.name === 'issues')!.examples.find((e) => e.action === action)!;
  return { ...example, issue: { ...example.issue!, number } };
};

const anna = { login: 'apetrova', id: 1234567 };
const wei = { login: 'wangwei', id: 2345678 };
const fatima = { login: 'fatima-a', id: 3456789 };
const sign = (
  user: { login: string; id: number },
  fields: Parameters<typeof signBody>[0],
  extra: Partial<FakeIssueInput> = {},
): FakeIssueInput => ({ body: signBody(fields), labels: ['signature'], user, ...extra });

const repoPath = `/repos/${OWNER}/${REPO}`;
const fakes: FakeGitHub[] = [];
let fake: FakeGitHub;
/** The exchanges the direct requests below produced, by name. */
const direct: Record<string, FakeExchange> = {};

async function call(
  target: FakeGitHub,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: 'token test-token' },
): Promise<FakeExchange> {
  await fetch(`${target.baseUrl}${path}`, {
    method,
    headers: { accept: 'application/vnd.github+json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    // One request, one exchange: a redirect (an artifact's download) is followed by a call of its own.
    redirect: 'manual',
  }).then((response) => response.arrayBuffer());
  return target.exchanges.at(-1)!;
}

beforeAll(async () => {
  // Two issues a page, so the issues, labels and comments listings all paginate.
  fake = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    perPageMax: 2,
    files: { 'README.md': 'A petition.' },
    issues: [
      sign(anna, { name: 'Anna', country: 'RU' }, { created_at: '2026-11-23T19:00:00Z' }),
      sign(wei, { name: 'Wei', country: 'Narnia' }, { created_at: '2026-11-23T19:05:00Z', comments: 3 }),
      sign(fatima, { name: 'Fatima', country: 'EG' }, { created_at: '2026-11-23T19:10:00Z' }),
    ],
  });
  fakes.push(fake);
  const checkout = await makeCheckout(fake);

  // Run 1: creates the labels, commits two signatures (after losing a race for the branch),
  // waits out a secondary rate limit on a receipt, and rejects Wei's issue.
  let pushed = false;
  fake.beforeRequest = (method, path) => {
    if (!pushed && method === 'PATCH' && path.includes('/git/refs/heads/main')) {
      pushed = true;
      fake.pushCommit({ 'content/news.md': 'News' }, 'Add news');
    }
  };
  fake.inject(secondaryRateLimit({ method: 'POST', path: /\/comments$/ }, 1));
  const first = await runProcessor(fake, checkout);
  expect(first.failures).toEqual([]);
  expect(first.counts).toMatchObject({ signed: 2, rejected: 1 });

  // Run 2, for the edit: Wei's receipt is updated in place.
  fake.editIssue(2, signBody({ name: 'Wei', country: 'CN' }));
  const second = await runProcessor(fake, checkout, { event: issuesEvent('edited', 2) });
  expect(second.counts).toMatchObject({ signed: 1 });

  // Run 3: Anna withdraws, but someone already deleted her file: the tree is refused, the
  // processor looks the path up, and finds the commit that removed it for the receipt.
  await syncCheckout(fake, checkout);
  fake.pushCommit({ [`signatures/${signatureRelativePath(anna.id)}`]: null }, 'Remove a signature by hand');
  fake.addIssue({ body: withdrawBody(), labels: ['withdrawal'], user: anna });
  const third = await runProcessor(fake, checkout);
  expect(third.failures).toEqual([]);
  expect(third.counts).toMatchObject({ withdrawn: 1 });

  // The routes and answers the processor did not need.
  const head = fake.commits();
  direct.rateLimit = await call(fake, 'GET', '/rate_limit');
  direct.issue = await call(fake, 'GET', `${repoPath}/issues/1`);
  direct.missingIssue = await call(fake, 'GET', `${repoPath}/issues/999`);
  direct.addLabels = await call(fake, 'POST', `${repoPath}/issues/1/labels`, { labels: ['duplicate'] });
  direct.removeLabel = await call(fake, 'DELETE', `${repoPath}/issues/1/labels/duplicate`);
  direct.removeMissingLabel = await call(fake, 'DELETE', `${repoPath}/issues/1/labels/duplicate`);
  direct.existingLabel = await call(fake, 'POST', `${repoPath}/labels`, { name: 'signature' });
  direct.emptyComment = await call(fake, 'POST', `${repoPath}/issues/1/comments`, { body: '' });
  direct.badState = await call(fake, 'PATCH', `${repoPath}/issues/1`, { state: 'finished' });
  direct.content = await call(fake, 'GET', `${repoPath}/contents/README.md`);
  direct.missingContent = await call(fake, 'GET', `${repoPath}/contents/nothing.md`);
  direct.missingRef = await call(fake, 'GET', `${repoPath}/git/ref/heads%2Fnothing`);
  direct.missingCommit = await call(fake, 'GET', `${repoPath}/git/commits/${'0'.repeat(40)}`);
  direct.badTree = await call(fake, 'POST', `${repoPath}/git/trees`, { base_tree: '0'.repeat(40), tree: [] });
  direct.badCommit = await call(fake, 'POST', `${repoPath}/git/commits`, {
    message: 'x',
    tree: '0'.repeat(40),
    parents: [],
  });
  direct.staleRef = await call(fake, 'PATCH', `${repoPath}/git/refs/heads%2Fmain`, {
    sha: head[1]!.sha,
    force: false,
  });
  direct.unknownRoute = await call(fake, 'GET', `${repoPath}/nothing-here`);
  await actionsRequests(fake);

  // An exhausted rate limit and a bad token, each on a fake of its own.
  const limited = await startFakeGitHub({ owner: OWNER, repo: REPO, rateLimit: 1 });
  fakes.push(limited);
  await call(limited, 'GET', `${repoPath}/issues`);
  direct.rateLimited = await call(limited, 'GET', `${repoPath}/issues`);
  const guarded = await startFakeGitHub({ owner: OWNER, repo: REPO, token: 'secret' });
  fakes.push(guarded);
  direct.badCredentials = await call(guarded, 'GET', `${repoPath}/issues`, undefined, {
    authorization: 'token wrong',
  });
}, 60_000);

/**
 * Workflow runs (five, so that listings of two a page go to a third page; one from a fork's pull
 * request) and a run's artifacts, listed, filtered, downloaded through the redirect, and expired.
 */
async function actionsRequests(target: FakeGitHub): Promise<void> {
  const own = { head_branch: 'main', head_sha: target.headSha(), headRepository: `${OWNER}/${REPO}` };
  const pages = { ...own, path: '.github/workflows/pages.yml', name: 'Pages' };
  const built = target.addWorkflowRun({ ...pages, event: 'push', status: 'completed', conclusion: 'success' });
  target.addWorkflowRun({ ...pages, event: 'workflow_dispatch', status: 'completed', conclusion: 'failure' });
  target.addWorkflowRun({
    ...own,
    path: '.github/workflows/signatures.yml',
    name: 'Signatures',
    event: 'issues',
    status: 'completed',
    conclusion: 'success',
  });
  target.addWorkflowRun({
    path: '.github/workflows/ci.yml',
    name: 'CI',
    event: 'pull_request',
    head_branch: 'fix-typo',
    head_sha: 'f'.repeat(40),
    headRepository: 'someone/petition-fork',
    status: 'completed',
    conclusion: 'success',
  });
  target.addWorkflowRun({ ...pages, event: 'push', status: 'in_progress', conclusion: null });
  const site = target.addArtifact({
    runId: built.id,
    name: 'site',
    files: { 'index.html': Buffer.from('<p>A petition.</p>') },
  });
  const expired = target.addArtifact({
    runId: built.id,
    name: 'old',
    files: { 'a.txt': Buffer.from('a') },
    expired: true,
  });

  direct.runs = await call(target, 'GET', `${repoPath}/actions/runs`);
  for (let page = 2; page <= 3; page += 1) await call(target, 'GET', `${repoPath}/actions/runs?page=${page}`);
  direct.successfulPushes = await call(target, 'GET', `${repoPath}/actions/runs?event=push&status=success`);
  direct.forkRuns = await call(target, 'GET', `${repoPath}/actions/runs?branch=fix-typo`);
  direct.workflowRuns = await call(target, 'GET', `${repoPath}/actions/workflows/pages.yml/runs?status=completed`);
  direct.artifacts = await call(target, 'GET', `${repoPath}/actions/runs/${built.id}/artifacts?name=site`);
  direct.download = await call(target, 'GET', `${repoPath}/actions/artifacts/${site.id}/zip`);
  const location = new URL(direct.download.headers.location!);
  // Storage takes no token, as GitHub's does not: the redirect is followed without one.
  direct.blob = await call(target, 'GET', location.pathname + location.search, undefined, {});
  direct.expiredDownload = await call(target, 'GET', `${repoPath}/actions/artifacts/${expired.id}/zip`);
}

afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

const allExchanges = () => fakes.flatMap((f) => f.exchanges);
/**
 * The answers of GitHub's REST API, which the description covers: all but the fake's blob storage
 * (an artifact's zip behind the URL its download redirects to), which is GitHub's storage, not
 * its API: no operation, no rate-limit headers, not JSON.
 */
const apiExchanges = () => allExchanges().filter((exchange) => !exchange.storage);

/**
 * Checks the Link headers of a listing's answers against GitHub's format: the rels in GitHub's
 * order, on the /repositories/{id} form of the path, the request's own query with the page
 * changed; the last page has no next, and a list that fits one page has no Link at all.
 */
function expectGitHubLinks(listings: FakeExchange[], pathname: string): void {
  const linkFormat = /^<[^<>]+>; rel="(prev|next|last|first)"(, <[^<>]+>; rel="(prev|next|last|first)")*$/;
  const paged = listings.filter((exchange) => exchange.headers.link);
  expect(paged.length).toBeGreaterThan(0);
  for (const exchange of paged) {
    const link = exchange.headers.link!;
    expect(link).toMatch(linkFormat);
    const rels = [...link.matchAll(/rel="(\w+)"/g)].map((m) => m[1]);
    // GitHub's order: prev, next, last, first, leaving out what does not apply.
    expect(['prev', 'next', 'last', 'first'].filter((rel) => rels.includes(rel))).toEqual(rels);
    const page = Number(new URL(exchange.url, 'http://x').searchParams.get('page') ?? 1);
    expect(rels.includes('prev') && rels.includes('first')).toBe(page > 1);
    expect(rels.includes('next')).toBe(rels.includes('last'));
    for (const [, target, rel] of link.matchAll(/<([^<>]+)>; rel="(\w+)"/g)) {
      const url = new URL(target!);
      expect(url.origin).toBe(fake.baseUrl);
      expect(url.pathname).toBe(pathname);
      // The request's own query, with only the page changed.
      const asked = new URL(exchange.url, 'http://x').searchParams;
      asked.set('page', url.searchParams.get('page')!);
      expect([...url.searchParams].sort()).toEqual([...asked].sort());
      if (rel === 'next') expect(Number(url.searchParams.get('page'))).toBe(page + 1);
      if (rel === 'first') expect(url.searchParams.get('page')).toBe('1');
    }
  }
  // The last page has no next; a list that fits one page has no Link at all.
  expect(listings.some((exchange) => exchange.headers.link && !exchange.headers.link.includes('rel="next"'))).toBe(
    true,
  );
  expect(listings.some((exchange) => !exchange.headers.link)).toBe(true);
}

describe("the fake GitHub, against GitHub's OpenAPI description", () => {
  it("is checked against GitHub's OpenAPI 3.0 description of api.github.com", () => {
    expect(description.openapi).toMatch(/^3\.0\./);
    expect(operations.length).toBeGreaterThan(500);
    // The extract says which release of the description it came from; keep it current.
    expect(description.source).toMatchObject({ package: '@octokit/openapi', file: expect.any(String) });
    expect(description.source.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('answers every route it serves at least once in these runs', () => {
    const unexercised = fake.routes.filter(
      (route) =>
        !fake.exchanges.some(
          (exchange) =>
            exchange.method === route.method &&
            route.pattern.test(
              decodeURIComponent(new URL(exchange.url, 'http://x').pathname).replace(
                new RegExp(`^/repositories/${REPO_ID}/`),
                `${repoPath}/`,
              ),
            ),
        ),
    );
    expect(unexercised.map((route) => `${route.method} ${route.pattern}`)).toEqual([]);
  });

  it('serves only operations GitHub documents', () => {
    // apiExchanges: the blob storage is left out on purpose (see there), and checked below.
    const undocumented = apiExchanges().filter(
      (exchange) => exchange !== direct.unknownRoute && !operationFor(exchange.method, exchange.url),
    );
    expect(undocumented.map((exchange) => `${exchange.method} ${exchange.url}`)).toEqual([]);
  });

  it('answers with status codes and bodies that GitHub documents for each operation', () => {
    expect(nonConformances(apiExchanges())).toEqual([]);
  });

  it("receives from the processor only request bodies that GitHub's description accepts", () => {
    const problems = fake.exchanges
      .filter((exchange) => exchange.requestBody !== undefined && exchange !== direct.badState)
      .flatMap((exchange) => {
        const operation = operationFor(exchange.method, exchange.url)!;
        if (!operation.responses) return [`${exchange.method} ${exchange.url}: ${NOT_EXTRACTED}`];
        const validate = requestValidatorFor(operation);
        if (!validate) return [`${exchange.method} ${exchange.url}: GitHub documents no request body`];
        return validate(exchange.requestBody)
          ? []
          : [`${exchange.method} ${exchange.url}: ${describeErrors(validate.errors)}`];
      });
    expect(problems).toEqual([]);
    expect(requestValidatorFor(operationFor('PATCH', `${repoPath}/issues/1`)!)!(direct.badState!.requestBody)).toBe(
      false,
    );
  });

  it("sends GitHub's rate-limit headers with every answer of the API", () => {
    for (const exchange of apiExchanges()) {
      const h = exchange.headers;
      expect(h, `${exchange.method} ${exchange.url}`).toMatchObject({
        'x-ratelimit-limit': expect.stringMatching(/^\d+$/),
        'x-ratelimit-remaining': expect.stringMatching(/^\d+$/),
        'x-ratelimit-reset': expect.stringMatching(/^\d{10}$/),
        'x-ratelimit-used': expect.stringMatching(/^\d+$/),
        'x-ratelimit-resource': 'core',
        'x-github-request-id': expect.any(String),
        'content-type': 'application/json; charset=utf-8',
      });
      expect(Number(h['x-ratelimit-used']) + Number(h['x-ratelimit-remaining'])).toBe(Number(h['x-ratelimit-limit']));
    }
  });

  it.each([
    ['issues list', '/repos/{owner}/{repo}/issues', 'issues'],
    ["repository's workflow runs", '/repos/{owner}/{repo}/actions/runs', 'actions/runs'],
  ])('paginates the %s with a Link header in the format GitHub sends', (_what, template, tail) => {
    const listings = fake.exchanges.filter(
      (exchange) => exchange.method === 'GET' && operationFor('GET', exchange.url)?.template === template,
    );
    expectGitHubLinks(listings, `/repositories/${REPO_ID}/${tail}`);
  });

  it('points a Location header at everything it creates', () => {
    const created = allExchanges().filter((exchange) => exchange.status === 201);
    expect(created.length).toBeGreaterThan(0);
    for (const exchange of created)
      expect(exchange.headers.location, `${exchange.method} ${exchange.url}`).toBe(
        (exchange.body as { url: string }).url,
      );
  });

  it("redirects an artifact's download to its storage, which serves the zip with none of the API's headers", () => {
    const listed = (direct.artifacts!.body as { artifacts: Array<{ size_in_bytes: number }> }).artifacts;
    expect(listed).toHaveLength(1);
    expect(direct.download).toMatchObject({ status: 302, body: undefined, storage: false });
    expect(direct.download!.headers.location).toMatch(
      new RegExp(`^${fake.baseUrl}/_blobs/artifacts/\\d+\\.zip\\?sig=[0-9a-f]{64}$`),
    );
    expect(direct.blob).toMatchObject({ status: 200, storage: true, headers: { 'content-type': 'application/zip' } });
    expect(Object.keys(direct.blob!.headers).filter((name) => name.startsWith('x-'))).toEqual([]);
    expect((direct.blob!.body as Uint8Array).byteLength).toBe(listed[0]!.size_in_bytes);
    expect(direct.expiredDownload).toMatchObject({ status: 410, body: { message: 'Artifact has expired' } });
  });

  it('refuses to move a branch backwards with 422 "Update is not a fast forward"', () => {
    expect(direct.staleRef).toMatchObject({
      status: 422,
      body: { message: 'Update is not a fast forward' },
    });
    // The processor's own race for the branch (run 1) got the same answer.
    const refused = fake.exchanges.filter(
      (exchange) =>
        exchange !== direct.staleRef &&
        exchange.method === 'PATCH' &&
        exchange.url.includes('/git/refs/') &&
        exchange.status === 422,
    );
    expect(refused.map((exchange) => (exchange.body as { message: string }).message)).toEqual([
      'Update is not a fast forward',
    ]);
  });

  it('answers 404 Not Found for missing issues, refs, commits, files and routes', () => {
    for (const exchange of [
      direct.missingIssue,
      direct.missingRef,
      direct.missingCommit,
      direct.missingContent,
      direct.unknownRoute,
    ])
      expect(exchange).toMatchObject({ status: 404, body: { message: 'Not Found', status: '404' } });
  });

  it('answers a secondary rate limit with 403, retry-after and the message Octokit recognises', () => {
    const limited = fake.exchanges.filter((exchange) => exchange.status === 403);
    expect(limited).toHaveLength(1);
    expect(limited[0]!.headers['retry-after']).toMatch(/^\d+$/);
    expect((limited[0]!.body as { message: string }).message).toMatch(/secondary rate limit/);
  });

  it('answers an exhausted rate limit with 403 and none remaining, and a bad token with 401', () => {
    expect(direct.rateLimited).toMatchObject({
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '1', 'x-ratelimit-limit': '1' },
      body: { message: expect.stringMatching(/^API rate limit exceeded/) },
    });
    expect(direct.badCredentials).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
  });
});
