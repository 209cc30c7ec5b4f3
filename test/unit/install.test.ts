/**
 * What `npm ci` installs: every package supports the Node versions package.json promises (so
 * npm prints no EBADENGINE), and the install stays light.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/site.ts';

const readJson = async (file: string) => JSON.parse(await readFile(path.join(projectRoot, file), 'utf8'));
const manifest = await readJson('package.json');
const lock = await readJson('package-lock.json');

describe('the dependency tree', () => {
  it('supports, package by package, the oldest and newest Node 20 that package.json accepts', () => {
    const range = manifest.engines.node as string;
    const oldest = semver.minVersion(range)!.version;
    expect(oldest).toBe('20.19.0');
    const problems: string[] = [];
    for (const [location, entry] of Object.entries(lock.packages as Record<string, any>)) {
      const wanted = entry.engines?.node;
      if (!location || typeof wanted !== 'string') continue;
      for (const version of [oldest, '20.99.0'])
        if (!semver.satisfies(version, wanted)) problems.push(`${location} ${entry.version} wants node ${wanted}`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps the 385 MB GitHub description and Lighthouse out of the main install', () => {
    const names = Object.keys(lock.packages);
    expect(names).not.toContain('node_modules/@octokit/openapi');
    expect(names).not.toContain('node_modules/lighthouse');
  });

  // 350 MB until the local workflow runner (issue 20): @actions/cache, @actions/workflow-parser
  // and @actions/expressions add about 48 MB, most of it the Azure Blob SDK the cache library uploads with.
  it('installs under 400 MB into node_modules', async () => {
    let bytes = 0;
    const directory = path.join(projectRoot, 'node_modules');
    for (const entry of (await readdir(directory, { recursive: true })) as string[]) {
      const stats = await lstat(path.join(directory, entry));
      if (stats.isFile()) bytes += stats.blocks * 512;
    }
    expect(bytes / 1024 / 1024).toBeLessThan(400);
  });
});

describe('the set-up commands in the README', () => {
  it('install, for Debian with and without sudo, the same packages as CI, after apt-get update', async () => {
    const readme = await readFile(path.join(projectRoot, 'README.md'), 'utf8');
    const ci = await readFile(path.join(projectRoot, '.ci/run'), 'utf8');
    const ciPackages = /apt-get install -y --no-install-recommends (.+)$/m.exec(ci)![1]!.trim();
    expect(ciPackages).toBe('chromium default-jre-headless');
    expect(readme).toContain(`sudo apt-get update && sudo apt-get install -y ${ciPackages}`);
    expect(readme).toContain(`\`apt-get update && apt-get install -y ${ciPackages}\``);
    for (const system of ['macOS', 'Windows', 'Ubuntu']) expect(readme).toContain(`**${system}:**`);
    expect(readme).toContain('CHROME_PATH');
  });
});

describe('the install scripts of our dependencies', () => {
  it('are each decided in package.json allowScripts (npm 11 warns about any other): esbuild’s check runs, vnu-jar’s Java download does not', async () => {
    const manifest = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as {
      allowScripts: Record<string, boolean>;
    };
    const lock = JSON.parse(await readFile(path.join(projectRoot, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([where]) => where.replace(/^.*node_modules\//, ''));
    expect(withScripts.length).toBeGreaterThan(0);
    for (const name of withScripts) expect(Object.keys(manifest.allowScripts), name).toContain(name);
    expect(manifest.allowScripts).toMatchObject({ esbuild: true, 'vnu-jar': false });
  });
});
