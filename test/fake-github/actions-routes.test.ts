/**
 * The fake GitHub's Actions routes, driven the way our scripts drive GitHub: through the
 * processor's Octokit client (scripts/github/client.ts) on the fake's URL. Runs are listed,
 * filtered and paged; a run's artifacts listed; an artifact's zip downloaded through GitHub's
 * redirect to storage and unzipped. The shapes themselves are checked against GitHub's OpenAPI
 * description in openapi-conformance.test.ts.
 */
import { Octokit as OctokitCore } from '@octokit/core';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../scripts/github/client.ts';
import {
  REPO_ID,
  startFakeGitHub,
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakeWorkflowRunInput,
} from '../../scripts/tooling/fake-github/server.ts';

const owner = 'leopards';
const repo = 'petition';
const repository = { owner, repo };
const TOKEN = 'test-token';

const started: FakeGitHub[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

/** A fake that wants a token, and the processor's client on it. */
async function start(options: Partial<FakeGitHubOptions> = {}) {
  const fake = await startFakeGitHub({ ...repository, token: TOKEN, ...options });
  started.push(fake);
  const octokit = createClient({ baseUrl: fake.baseUrl, token: TOKEN, writeIntervalMs: 0, retryTimeUnitMs: 1 });
  return { fake, octokit };
}

const sha = (digit: string) => digit.repeat(40);
const pagesRun = (changes: Partial<FakeWorkflowRunInput> = {}): FakeWorkflowRunInput => ({
  path: '.github/workflows/pages.yml',
  name: 'Pages',
  event: 'push',
  head_branch: 'main',
  head_sha: sha('a'),
  status: 'completed',
  conclusion: 'success',
  headRepository: `${owner}/${repo}`,
  ...changes,
});

/** Five runs of three workflows, one of them from a fork's pull request; answers their ids, oldest first. */
function addRuns(fake: FakeGitHub): number[] {
  return [
    pagesRun(),
    pagesRun({ head_sha: sha('b'), conclusion: 'failure' }),
    pagesRun({ event: 'workflow_dispatch', head_sha: sha('b'), status: 'in_progress', conclusion: null }),
    pagesRun({ path: '.github/workflows/signatures.yml', name: 'Signatures', event: 'issues', head_sha: sha('c') }),
    pagesRun({
      path: '.github/workflows/ci.yml',
      name: 'CI',
      event: 'pull_request',
      head_branch: 'fix-typo',
      head_sha: sha('d'),
      headRepository: 'someone/petition-fork',
    }),
  ].map((run) => fake.addWorkflowRun(run).id);
}

const ids = (runs: Array<{ id: number }>) => runs.map((run) => run.id);

describe("the fake GitHub's workflow runs", () => {
  it("lists the repository's runs newest first, with the total count", async () => {
    const { fake, octokit } = await start();
    const added = addRuns(fake);
    const { data } = await octokit.rest.actions.listWorkflowRunsForRepo(repository);
    expect(data.total_count).toBe(5);
    expect(ids(data.workflow_runs)).toEqual([...added].reverse());
    expect(data.workflow_runs[0]).toMatchObject({
      name: 'CI',
      path: '.github/workflows/ci.yml',
      event: 'pull_request',
    });
  });

  it.each([
    ['branch', { branch: 'fix-typo' }, [4]],
    ['event', { event: 'push' }, [1, 0]],
    ['status, a status', { status: 'in_progress' as const }, [2]],
    ['status, a conclusion', { status: 'failure' as const }, [1]],
    ['status, a conclusion of several runs', { status: 'success' as const }, [4, 3, 0]],
    ['head_sha', { head_sha: sha('b') }, [2, 1]],
    ['event and status together', { event: 'push', status: 'success' as const }, [0]],
  ])('keeps only the runs that match the %s filter', async (_filter, query, expected) => {
    const { fake, octokit } = await start();
    const added = addRuns(fake);
    const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repository, ...query });
    expect(ids(data.workflow_runs)).toEqual(expected.map((index) => added[index]));
    expect(data.total_count).toBe(expected.length);
  });

  it("pages through the runs by per_page and page, and Octokit's paginate follows the Link header", async () => {
    const { fake, octokit } = await start();
    const added = addRuns(fake);
    const third = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repository, per_page: 2, page: 3 });
    expect(ids(third.data.workflow_runs)).toEqual([added[0]]);
    expect(third.data.total_count).toBe(5);
    expect(third.headers.link).toContain(`/repositories/${REPO_ID}/actions/runs?per_page=2&page=2>; rel="prev"`);
    const all = await octokit.paginate(octokit.rest.actions.listWorkflowRunsForRepo, { ...repository, per_page: 2 });
    expect(ids(all)).toEqual([...added].reverse());
    expect(fake.requests.filter((request) => request.path.endsWith('/actions/runs'))).toHaveLength(4);
  });

  it('gives at most 100 runs a page, however many are asked for', async () => {
    const { fake, octokit } = await start();
    for (let i = 0; i < 101; i += 1) fake.addWorkflowRun(pagesRun());
    const { data, headers } = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repository, per_page: 500 });
    expect(data.workflow_runs).toHaveLength(100);
    expect(data.total_count).toBe(101);
    expect(headers.link).toContain('rel="next"');
  });

  it("lists one workflow's runs by its file name or its id, with the same filters", async () => {
    const { fake, octokit } = await start();
    const added = addRuns(fake);
    const byFile = await octokit.rest.actions.listWorkflowRuns({ ...repository, workflow_id: 'pages.yml' });
    expect(ids(byFile.data.workflow_runs)).toEqual([added[2], added[1], added[0]]);
    const workflowId = byFile.data.workflow_runs[0]!.workflow_id;
    const byId = await octokit.rest.actions.listWorkflowRuns({ ...repository, workflow_id: workflowId, event: 'push' });
    expect(ids(byId.data.workflow_runs)).toEqual([added[1], added[0]]);
    const failed = await octokit.rest.actions.listWorkflowRuns({
      ...repository,
      workflow_id: 'pages.yml',
      status: 'failure',
    });
    expect(ids(failed.data.workflow_runs)).toEqual([added[1]]);
  });

  it('answers 404 for a workflow no run has and the branch lacks, and no runs for one on the branch', async () => {
    const { fake, octokit } = await start({ files: { '.github/workflows/derive.yml': 'on: push' } });
    addRuns(fake);
    await expect(
      octokit.rest.actions.listWorkflowRuns({ ...repository, workflow_id: 'nothing.yml' }),
    ).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found', status: '404' } },
    });
    const { data } = await octokit.rest.actions.listWorkflowRuns({ ...repository, workflow_id: 'derive.yml' });
    expect(data).toEqual({ total_count: 0, workflow_runs: [] });
  });

  it("describes a fork's run with the fork as its head repository and this repository as its repository", async () => {
    const { fake, octokit } = await start();
    addRuns(fake);
    const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repository, event: 'pull_request' });
    const run = data.workflow_runs[0]!;
    expect(run.repository).toMatchObject({
      id: REPO_ID,
      full_name: `${owner}/${repo}`,
      fork: false,
      owner: { login: owner },
    });
    expect(run.head_repository).toMatchObject({
      full_name: 'someone/petition-fork',
      fork: true,
      owner: { login: 'someone' },
    });
    expect(run.head_repository.id).not.toBe(REPO_ID);
    expect(run.head_repository.owner.id).not.toBe(run.repository.owner.id);
    expect(run).toMatchObject({ head_branch: 'fix-typo', head_sha: sha('d'), actor: { login: 'someone' } });
  });

  it('shows a run as it progresses, keeps ids increasing, and dates a run now unless told', async () => {
    const { fake, octokit } = await start();
    const before = Date.now() - 1000;
    const run = fake.addWorkflowRun(pagesRun({ status: 'queued', conclusion: null }));
    expect(Date.parse(run.created_at)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(run.created_at)).toBeLessThanOrEqual(Date.now());
    expect(run.id).toBeGreaterThan(2 ** 31);
    fake.updateWorkflowRun(run.id, { status: 'completed', conclusion: 'cancelled' });
    const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repository, status: 'cancelled' });
    expect(data.workflow_runs.map(({ id, status, conclusion }) => ({ id, status, conclusion }))).toEqual([
      { id: run.id, status: 'completed', conclusion: 'cancelled' },
    ]);
    expect(fake.addWorkflowRun(pagesRun()).id).toBe(run.id + 1);
    expect(() => fake.addWorkflowRun(pagesRun({ id: run.id }))).toThrow(/above the last/);
    expect(fake.workflowRuns.map((r) => r.id)).toEqual([run.id, run.id + 1]);
  });
});

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Runs, and three artifacts of the first: a site, its tally, and an expired one. */
async function withArtifacts() {
  const started = await start();
  const [runId] = addRuns(started.fake) as [number];
  const site = started.fake.addArtifact({
    runId,
    name: 'github-pages',
    files: { 'index.html': encode('<h1>A petition</h1>'), 'data/tally.json': encode('{"count":3}') },
  });
  const tally = started.fake.addArtifact({ runId, name: 'tally', files: { 'tally.json': encode('{"count":3}') } });
  const expired = started.fake.addArtifact({ runId, name: 'old-site', files: { 'a.txt': encode('a') }, expired: true });
  return { ...started, runId, site, tally, expired };
}

describe("the fake GitHub's artifacts", () => {
  it("lists a run's artifacts newest first, by name too, with the run they came from", async () => {
    const { fake, octokit, runId, site, tally, expired } = await withArtifacts();
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repository, run_id: runId });
    expect(data.total_count).toBe(3);
    expect(ids(data.artifacts)).toEqual([expired.id, tally.id, site.id]);
    expect(data.artifacts.map((artifact) => artifact.expired)).toEqual([true, false, false]);
    const named = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repository, run_id: runId, name: 'tally' });
    expect(named.data.total_count).toBe(1);
    expect(named.data.artifacts[0]).toMatchObject({
      id: tally.id,
      name: 'tally',
      archive_download_url: `${fake.baseUrl}/repos/${owner}/${repo}/actions/artifacts/${tally.id}/zip`,
      workflow_run: {
        id: runId,
        repository_id: REPO_ID,
        head_repository_id: REPO_ID,
        head_branch: 'main',
        head_sha: sha('a'),
      },
    });
    const paged = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      ...repository,
      run_id: runId,
      per_page: 1,
    });
    expect(ids(paged)).toEqual([expired.id, tally.id, site.id]);
  });

  it("answers 404 for an unknown run's artifacts", async () => {
    const { octokit } = await withArtifacts();
    await expect(octokit.rest.actions.listWorkflowRunArtifacts({ ...repository, run_id: 1 })).rejects.toMatchObject({
      status: 404,
      response: { data: { message: 'Not Found' } },
    });
  });

  it('downloads an artifact as the zip of its files, through the redirect to storage, as large as listed', async () => {
    const { fake, octokit, runId, site } = await withArtifacts();
    const response = await octokit.rest.actions.downloadArtifact({
      ...repository,
      artifact_id: site.id,
      archive_format: 'zip',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/zip');
    const zip = new Uint8Array(response.data as ArrayBuffer);
    const files = unzipSync(zip);
    expect(Object.fromEntries(Object.entries(files).map(([path, bytes]) => [path, decode(bytes)]))).toEqual({
      'index.html': '<h1>A petition</h1>',
      'data/tally.json': '{"count":3}',
    });
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
      ...repository,
      run_id: runId,
      name: 'github-pages',
    });
    expect(data.artifacts[0]!.size_in_bytes).toBe(zip.byteLength);
    // The API answered 302 and storage 200: one request to each.
    expect(fake.requests.filter((request) => /\/zip$|\.zip$/.test(request.path)).map((r) => r.status)).toEqual([
      302, 200,
    ]);
  });

  it("downloads the same zip with Octokit on Node's own fetch", async () => {
    const { fake, site } = await withArtifacts();
    const octokit = new (OctokitCore.plugin(restEndpointMethods))({ auth: TOKEN, baseUrl: fake.baseUrl });
    const { data } = await octokit.rest.actions.downloadArtifact({
      ...repository,
      artifact_id: site.id,
      archive_format: 'zip',
    });
    expect(Object.keys(unzipSync(new Uint8Array(data as ArrayBuffer))).sort()).toEqual([
      'data/tally.json',
      'index.html',
    ]);
  });

  it('serves the signed storage URL without a token, and refuses one whose signature is forged', async () => {
    const { fake, site } = await withArtifacts();
    const redirect = await fetch(`${fake.baseUrl}/repos/${owner}/${repo}/actions/artifacts/${site.id}/zip`, {
      headers: { authorization: `token ${TOKEN}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location')!);
    expect(location.origin).toBe(fake.baseUrl);
    expect(location.pathname).toBe(`/_blobs/artifacts/${site.id}.zip`);
    const blob = await fetch(location);
    expect(blob.status).toBe(200);
    expect(blob.headers.get('content-type')).toBe('application/zip');
    expect(blob.headers.get('x-ratelimit-used')).toBeNull();
    expect(Object.keys(unzipSync(new Uint8Array(await blob.arrayBuffer())))).toHaveLength(2);
    location.searchParams.set('sig', '0'.repeat(64));
    const forged = await fetch(location);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('AuthenticationFailed');
  });

  it("answers 410 Gone for an expired artifact's download", async () => {
    const { octokit, expired } = await withArtifacts();
    await expect(
      octokit.rest.actions.downloadArtifact({ ...repository, artifact_id: expired.id, archive_format: 'zip' }),
    ).rejects.toMatchObject({ status: 410, response: { data: { message: 'Artifact has expired', status: '410' } } });
  });

  it('answers 404 for an unknown artifact and for an archive format other than zip', async () => {
    const { octokit, site } = await withArtifacts();
    for (const [artifact_id, archive_format] of [
      [1, 'zip'],
      [site.id, 'tar.gz'],
    ] as const)
      await expect(
        octokit.rest.actions.downloadArtifact({ ...repository, artifact_id, archive_format }),
      ).rejects.toMatchObject({ status: 404, response: { data: { message: 'Not Found' } } });
  });

  it('refuses an artifact of a run it does not have, and an id already taken', async () => {
    const { fake, runId, site } = await withArtifacts();
    expect(() => fake.addArtifact({ runId: 1, name: 'x', files: {} })).toThrow(/No workflow run 1/);
    expect(() => fake.addArtifact({ id: site.id, runId, name: 'x', files: {} })).toThrow(/exists already/);
    expect(fake.artifacts.map((artifact) => artifact.name)).toEqual(['github-pages', 'tally', 'old-site']);
  });
});
