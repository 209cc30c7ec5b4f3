/**
 * The warm build process of test/helpers/warm-build.ts builds what a cold `node … cmd.cjs` builds:
 * the same files byte for byte and the same log, whichever builds ran in it before, and fails as
 * a cold build fails.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eleventyArguments } from '../../scripts/tooling/eleventy-command.ts';
import { folderDigest } from '../helpers/build-cache.ts';
import { copyPetitionProject, petitionProject } from '../helpers/petitions.ts';
import { runTracked, type Finished } from '../helpers/processes.ts';
import { FIXED_CLOCK } from '../helpers/shared-builds.ts';
import { projectRoot } from '../helpers/site.ts';
import { setWarmBuildLimits, warmBuild, warmProcessId } from '../helpers/warm-build.ts';

const signatures = (name: string) => path.join(projectRoot, 'test/fixtures/signatures', name);
const temporary: string[] = [];
afterAll(() => Promise.all(temporary.map((folder) => rm(folder, { recursive: true, force: true }))));

interface Input {
  root: string;
  env: Record<string, string | undefined>;
}

async function input(root: string, signaturesDir: string, env: Record<string, string> = {}): Promise<Input> {
  return { root, env: { ...process.env, ...FIXED_CLOCK, SIGNATURES_DIR: signaturesDir, SITE_URL: '', ...env } };
}

async function outputFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'petition-warm-test-'));
  temporary.push(folder);
  return path.join(folder, '_site');
}

async function cold({ root, env }: Input): Promise<Finished & { output: string }> {
  const output = await outputFolder();
  const result = await runTracked(process.execPath, eleventyArguments({ output }), { cwd: root, env });
  return { ...result, output };
}

async function warm({ root, env }: Input): Promise<Finished & { output: string }> {
  const output = await outputFolder();
  const result = await warmBuild(root, env, output);
  if (!result) throw new Error(`${root} was not built warm`);
  return { ...result, output };
}

/**
 * The log without what depends on timing, in a cold build as in a warm one: the build's duration,
 * and Eleventy's "[11ty] Benchmark …" lines, printed for a step that took more than 8 % of the
 * build's time (a warm build, being shorter, prints them more often).
 */
const steady = (log: string) =>
  log
    .split('\n')
    .filter((line) => !line.startsWith('[11ty] Benchmark '))
    .join('\n')
    .replace(/ in [\d.]+ seconds?(?: \([^)]*\))?/g, ' in … seconds');
/** An error report without its stack trace, whose frames below Eleventy differ between the two ways of running it. */
const withoutStack = (log: string) =>
  log
    .split('\n')
    .filter((line) => !/^\s*(?:\[11ty\]\s+)?at /.test(line))
    .join('\n');

let broken: Promise<{ root: string; settings: string; good: string }> | undefined;

/** A copy of the amur-leopard project whose settings stop the build (a goal that is not a number). */
function brokenSettings(): Promise<{ root: string; settings: string; good: string }> {
  broken ??= (async () => {
    const root = await copyPetitionProject('amur-leopard');
    temporary.push(root);
    const settings = path.join(root, 'content/settings.json');
    const good = await readFile(settings, 'utf8');
    await writeFile(settings, good.replace(/"goal": \d+/, '"goal": "many"'));
    return { root, settings, good };
  })();
  return broken;
}

/**
 * The inputs of the identity tests: different projects, signatures and environments, each built
 * cold once (its expected site and log), then warm in turn in one process, each test making at
 * most three builds so that a busy machine does not run a test past its timeout.
 */
const identity = {
  inputs: undefined as Promise<Record<'empty' | 'one' | 'riverside', Input>> | undefined,
  expected: new Map<Input, { digest: string; log: string }>(),
  processes: new Set<number | undefined>(),
};

function identityInputs(): Promise<Record<'empty' | 'one' | 'riverside', Input>> {
  identity.inputs ??= (async () => {
    const amur = await petitionProject('amur-leopard');
    return {
      empty: await input(amur, signatures('none')),
      // Variables the other builds do not have: they must not stay in the process for the next builds.
      one: await input(amur, signatures('one'), { PATH_PREFIX: '/amur-leopard/', PETITION_REPOSITORY: 'a/b' }),
      riverside: await input(await petitionProject('riverside-library'), signatures('mixed')),
    };
  })();
  return identity.inputs;
}

/** Builds `each` cold (once) and then warm, and expects the warm build to be the cold one. */
async function expectWarmAsCold(each: Input): Promise<void> {
  if (!identity.expected.has(each)) {
    const built = await cold(each);
    expect(built.code, built.stderr).toBe(0);
    identity.expected.set(each, {
      digest: await folderDigest(built.output),
      log: steady(`${built.stdout}\n${built.stderr}`),
    });
  }
  const built = await warm(each);
  identity.processes.add(warmProcessId());
  expect(built.code, built.stderr).toBe(0);
  expect(steady(`${built.stdout}\n${built.stderr}`)).toBe(identity.expected.get(each)!.log);
  expect(await folderDigest(built.output)).toBe(identity.expected.get(each)!.digest);
}

describe('a warm build', () => {
  // Nothing of a build may stay for the next: its signatures, its variables, its project. These
  // run in order, in one warm process.
  it('of the empty petition is the site and log of a cold build', async () => {
    await expectWarmAsCold((await identityInputs()).empty);
  });

  it('of one signature, with a path prefix and repository of its own, after it, is the site and log of a cold build', async () => {
    await expectWarmAsCold((await identityInputs()).one);
  });

  it('of another project after those is the site and log of a cold build', async () => {
    await expectWarmAsCold((await identityInputs()).riverside);
  });

  it('of the first two again after the other project is the site and log of their cold builds, all in one process that left the worker as it was', async () => {
    const { empty, one, riverside } = await identityInputs();
    for (const each of [empty, one, riverside]) if (!identity.expected.has(each)) await expectWarmAsCold(each);
    await expectWarmAsCold(empty);
    await expectWarmAsCold(one);
    expect(identity.processes.size).toBe(1);
    expect(process.env.PATH_PREFIX).toBeUndefined();
    expect(process.cwd()).toBe(projectRoot);
  });

  it('that fails reports what a cold build reports, and the process goes on serving', async () => {
    const { root, settings, good } = await brokenSettings();
    const broken = await input(root, signatures('none'));
    const [coldRun, warmRun] = [await cold(broken), await warm(broken)];
    const before = warmProcessId();
    expect(coldRun.code).toBe(1);
    expect(warmRun.code).toBe(1);
    expect(withoutStack(warmRun.stderr)).toBe(withoutStack(coldRun.stderr));
    expect(warmRun.stderr).toContain('goal');
    await writeFile(settings, good);
    try {
      const mended = await warm(broken);
      expect(mended.code, mended.stderr).toBe(0);
      expect(warmProcessId()).toBe(before);
    } finally {
      await writeFile(settings, good.replace(/"goal": \d+/, '"goal": "many"'));
    }
  });

  it('that ends its process fails as a cold build does, and the next build gets a fresh process', async () => {
    const root = await copyPetitionProject('amur-leopard');
    temporary.push(root);
    const language = path.join(root, 'content/i18n/ru.yml');
    const good = await readFile(language, 'utf8');
    // A language file without a key: .eleventy.ts reports it in one line and calls process.exit(1).
    await writeFile(language, good.replace(/^ {4}name_hint: .*\n/m, ''));
    const broken = await input(root, signatures('none'));
    const [coldRun, warmRun] = [await cold(broken), await warm(broken)];
    expect(warmRun).toMatchObject({ code: 1, stdout: coldRun.stdout, stderr: coldRun.stderr });
    expect(warmRun.stderr).toContain('name_hint');
    expect(warmProcessId()).toBeUndefined();
    await writeFile(language, good);
    const mended = await warm(broken);
    expect(mended.code, mended.stderr).toBe(0);
    expect(warmProcessId()).toBeDefined();
  });

  it('reads a page changed since the last build, and runs changed code in a fresh process', async () => {
    const root = await copyPetitionProject('amur-leopard');
    temporary.push(root);
    const each = await input(root, signatures('none'));
    expect((await warm(each)).code).toBe(0);
    const before = warmProcessId();
    // Eleventy keeps each template's text by path in the process: a changed page must be read again.
    const page = path.join(root, 'content/how-it-works.md');
    await writeFile(page, `${await readFile(page, 'utf8')}\nA sentence added between two builds.\n`);
    const rebuilt = await warm(each);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(await readFile(path.join(rebuilt.output, 'how-it-works/index.html'), 'utf8')).toContain(
      'A sentence added between two builds.',
    );
    expect(warmProcessId()).toBe(before);
    // A configuration that says it ran (and a settings file that stops the build there: cheaper).
    const config = path.join(root, '.eleventy.ts');
    const opening = 'async function configureSite(eleventyConfig: any) {';
    const code = await readFile(config, 'utf8');
    expect(code).toContain(opening);
    await writeFile(
      config,
      code.replace(opening, `${opening}\n  console.warn('[petition] the changed configuration ran');`),
    );
    const settings = path.join(root, 'content/settings.json');
    await writeFile(settings, (await readFile(settings, 'utf8')).replace(/"goal": \d+/, '"goal": "many"'));
    const changed = await warm(each);
    expect(changed.stderr).toContain('[petition] the changed configuration ran');
    expect(warmProcessId()).not.toBe(before);
  });

  it('is stopped when it runs too long, and its process is replaced after so many builds', async () => {
    // Builds that stop at the settings: what is tested is the process, not the site.
    const each = await input((await brokenSettings()).root, signatures('none'));
    let restore = setWarmBuildLimits({ buildMs: 1 });
    const stopped = await warm(each).finally(restore);
    expect(stopped).toMatchObject({ code: null, signal: 'SIGKILL' });
    expect(stopped.stderr).toContain('The warm build was stopped after 0.001 s.');
    expect(warmProcessId()).toBeUndefined();
    restore = setWarmBuildLimits({ maxBuilds: 2 });
    try {
      const pids: (number | undefined)[] = [];
      for (let build = 0; build < 3; build += 1) {
        expect((await warm(each)).stderr).toContain('goal');
        pids.push(warmProcessId());
      }
      expect(pids[1]).toBe(pids[0]);
      expect(pids[2]).not.toBe(pids[1]);
    } finally {
      restore();
    }
  });

  it('is not used under PETITION_TEST_WARM_BUILDS=off, nor for a folder that is not a project', async () => {
    const amur = await petitionProject('amur-leopard');
    const off = await input(amur, signatures('none'), { PETITION_TEST_WARM_BUILDS: 'off' });
    expect(await warmBuild(off.root, off.env, await outputFolder())).toBeUndefined();
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'petition-not-a-project-'));
    temporary.push(elsewhere);
    expect(await warmBuild(elsewhere, { ...process.env }, await outputFolder())).toBeUndefined();
  });
});
