/**
 * The protections of issue #26, RUN (1 of 2): workflow runs an attack or an accident makes on
 * GitHub that must commit or deploy nothing, or only the newest commit (scripts/tooling/workflows/
 * against GitHub on 127.0.0.1). One template repository and one install for the file; in order.
 * The other half: security-scenarios-published.test.ts; the shared set-up and
 * SECURITY_SCENARIOS_WORKFLOWS_FROM: ./security-repository.ts.
 */
import { describe, expect, it } from 'vitest';
import { signIssue } from '../processor/harness.ts';
import { deployedTally, explain, unpackDeployment } from './local-github.ts';
import type { WorkflowRunResult } from '../../scripts/tooling/workflows/runner.ts';
import { commit, head, jobsOf, logOf, pushEvent, signatureFile, useSecurityRepository } from './security-repository.ts';

const repo = useSecurityRepository('security scenarios (runs that must not publish)');

describe('what the #26 protections do when the workflows run', () => {
  it('a manual run of signatures.yml on a feature branch runs no job and commits nothing, even with a signature waiting', async () => {
    repo.gh.api.addIssue(signIssue({ login: 'apetrova', id: 1234567 }, { name: 'Anna P.', country: 'Россия' }));
    const main = head(repo);
    const feature = commit(repo, { 'content/feature-note.md': 'A draft.\n' }, 'A feature', 'refs/heads/feature');
    const run = await repo.gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: {
        name: 'workflow_dispatch',
        payload: { inputs: {}, ref: 'refs/heads/feature', repository: { default_branch: 'main' } },
      },
      ref: 'refs/heads/feature',
      sha: feature,
    });
    expect(run.error, explain(run)).toBeUndefined();
    expect(run.jobs.map((job) => [job.name, job.result])).toEqual([
      ['process', 'skipped'],
      ['deploy', 'skipped'],
    ]);
    expect(repo.gh.gitBare(['rev-parse', 'refs/heads/feature']).trim()).toBe(feature);
    expect(head(repo)).toBe(main);
  }, 300_000);

  it('an edit to a closed signature issue starts no processor job', async () => {
    const closed = repo.gh.api.addIssue(
      signIssue({ login: 'closer', id: 2345678 }, { name: 'C. Loser', country: 'Россия' }, { state: 'closed' }),
    );
    const run = await repo.gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: {
        name: 'issues',
        payload: {
          action: 'edited',
          issue: {
            number: closed.number,
            title: closed.title,
            body: closed.body,
            state: 'closed',
            user: { login: 'closer', id: 2345678 },
            labels: [{ name: 'signature' }],
          },
          repository: { full_name: 'leopards/petition', default_branch: 'main' },
        },
      },
    });
    expect(run.error, explain(run)).toBeUndefined();
    expect(jobsOf(run).process!.result).toBe('skipped');
    expect(jobsOf(run).deploy!.result).toBe('skipped');
  }, 300_000);

  it('when a push lands while a Pages build runs, the older build finishing last does not deploy: the newer commit is what is published', async () => {
    const older = head(repo);
    const deploymentsBefore = repo.gh.services.deployments.length;
    let newer = '';
    let newerRun: WorkflowRunResult | undefined;
    const olderRun = await repo.gh.run({
      workflow: '.github/workflows/pages.yml',
      event: pushEvent(older),
      sha: older,
      // Between the older build's checkout and the rest of it: a signature lands on main and its
      // own Pages run builds and deploys; then the older build goes on and finishes last.
      afterStep: async ({ job }) => {
        if (job !== 'build' || newerRun) return;
        const [file, text] = signatureFile(3456789, 'newer', 'Newer Signer');
        newer = commit(repo, { [file]: text }, 'Add a signature');
        newerRun = await repo.gh.run({ workflow: '.github/workflows/pages.yml', event: pushEvent(newer), sha: newer });
      },
    });
    expect(newerRun?.error, newerRun && explain(newerRun)).toBeUndefined();
    expect(olderRun.error, explain(olderRun)).toBeUndefined();
    expect(jobsOf(newerRun!).deploy!.result).toBe('success');
    expect(jobsOf(olderRun).deploy!.result).toBe('skipped');
    expect(logOf(olderRun)).toContain(`Not deploying ${older}: the branch is at ${newer} now`);
    // One deployment in all, the newer commit's, with its signature counted.
    expect(repo.gh.services.deployments).toHaveLength(deploymentsBefore + 1);
    expect(deployedTally(unpackDeployment(repo.gh, repo.gh.services.deployments.at(-1)!, 'race')).signature_count).toBe(
      1,
    );
  }, 600_000);

  it('a run cancelled right after the processor committed saves no ledger and deploys nothing', async () => {
    // A signature of its own, so the sweep has something to commit whatever ran before; then cancelled.
    repo.gh.api.addIssue(signIssue({ login: 'cancelme', id: 5678901 }, { name: 'Carl M.', country: 'Россия' }));
    const before = head(repo);
    const deployments = repo.gh.services.deployments.length;
    const run = await repo.gh.run({
      workflow: '.github/workflows/signatures.yml',
      event: { name: 'schedule', payload: { schedule: '7,22,37,52 * * * *' } },
      cancelAfterStep: 'process/process',
    });
    expect(run.error, explain(run)).toBeUndefined();
    expect(run.result).toBe('cancelled');
    const jobs = jobsOf(run);
    expect(jobs.process!.outputs).toMatchObject({ committed: 'true', publish: 'true' });
    expect(head(repo)).not.toBe(before);
    expect(jobs.process!.result).toBe('cancelled');
    const save = jobs.process!.steps.find((step) => step.name.startsWith('actions/cache/save'))!;
    expect(save.outcome).toBe('skipped');
    expect(repo.gh.services.cacheEntries.filter((entry) => entry.key.startsWith('petition-ledger-'))).toEqual([]);
    expect(['cancelled', 'skipped']).toContain(jobs.deploy!.result);
    expect(run.jobs.filter((job) => job.name.startsWith('deploy/'))).toEqual([]);
    expect(repo.gh.services.deployments).toHaveLength(deployments);
  }, 600_000);
});
