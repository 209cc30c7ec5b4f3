import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/site.ts';

/**
 * The folders of scripts/, lowest first, and which folders each may import from. Imports run only
 * downward: the pure core imports nothing of ours, the middle layers only the core and the store,
 * the commands everything but the tooling, and the tooling (demo, bench, fakes) anything.
 * scripts/README.md says the same in words; a change here is a change of architecture.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  store: ['core'],
  github: ['core', 'store'],
  offline: ['core', 'store'],
  site: ['core', 'store'],
  delivery: ['core', 'store'],
  verify: ['core', 'store', 'site', 'delivery'],
  commands: ['core', 'store', 'github', 'offline', 'site', 'delivery', 'verify'],
  tooling: ['core', 'store', 'github', 'offline', 'site', 'delivery', 'verify', 'commands'],
};

/** Node modules the pure core may use: no disk, network, processes or environment. */
const CORE_NODE_MODULES = new Set(['node:crypto']);

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|mts|mjs|js)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`));
}

/** The layer a repository path belongs to: its first folder under scripts/, or undefined. */
function layerOf(relativePath: string): string | undefined {
  const match = /^scripts\/([^/]+)\//.exec(relativePath);
  return match?.[1];
}

/** Every import of scripts/ that breaks the layering, as "from → to" lines. */
async function layeringProblems(): Promise<string[]> {
  const problems: string[] = [];
  for (const file of await sourceFiles(path.join(projectRoot, 'scripts'))) {
    const from = path.relative(projectRoot, file).split(path.sep).join('/');
    const layer = layerOf(from);
    if (!layer || !(layer in MAY_IMPORT)) {
      problems.push(`${from} is in no layer: put it in one of ${Object.keys(MAY_IMPORT).join(', ')}`);
      continue;
    }
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2]!;
      if (layer === 'core' && specifier.startsWith('node:') && !CORE_NODE_MODULES.has(specifier))
        problems.push(`${from} → ${specifier} (the core does no I/O)`);
      if (!specifier.startsWith('.')) continue;
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
      const target = layerOf(to);
      if (target === layer) continue;
      if (layer === 'tooling') continue;
      if (!target || !MAY_IMPORT[layer]!.includes(target)) problems.push(`${from} → ${to}`);
    }
  }
  return problems;
}

describe('the layers of scripts/', () => {
  it('import only downward: core ← store ← github, offline, site, delivery ← commands ← tooling', async () => {
    expect(await layeringProblems()).toEqual([]);
  });

  it('keep the site configuration on the site layer and below', async () => {
    const text = await readFile(path.join(projectRoot, '.eleventy.ts'), 'utf8');
    const targets = [...text.matchAll(IMPORT)]
      .map((match) => match[1] ?? match[2]!)
      .filter((specifier) => specifier.startsWith('./scripts/'))
      .map((specifier) => layerOf(specifier.slice(2)));
    expect(targets.filter((layer) => !['core', 'store', 'site'].includes(layer ?? ''))).toEqual([]);
  });

  it('every folder of scripts/ says in a README what lives there and what it may import', async () => {
    const missing: string[] = [];
    for (const layer of Object.keys(MAY_IMPORT)) {
      const readme = await readFile(path.join(projectRoot, 'scripts', layer, 'README.md'), 'utf8').catch(() => '');
      if (!readme.trim()) missing.push(`scripts/${layer}/README.md`);
    }
    expect(missing).toEqual([]);
  });
});
