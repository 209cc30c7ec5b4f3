/**
 * Our stand-in actions as the runner starts them: each stand-in's TypeScript and what it imports
 * (@actions/cache with most of its Azure SDK, our toolkit) bundled into one CommonJS file, run
 * with plain `node` — as GitHub runs a JavaScript action's bundled `dist/index.js`, one process a
 * step. Bundled once per process that runs workflows, into a temporary folder removed when it
 * exits.
 *
 * Why not `node --import tsx <stand-in>.ts`: tsx's loader costs about 0.25 s of CPU a process,
 * and loading @actions/cache file by file through it about 1 s more, for every cache step; the
 * bundles start in 0.07 s (setup-node) and 0.22 s (cache/restore) (measured on the 2-core VM).
 * What a step does and sees is unchanged: its own process, the runner's environment and files,
 * the same source.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const sources = path.join(here, 'stand-ins');
/** This repository's node_modules, where the packages left out of the bundles are found. */
const nodeModules = path.resolve(here, '../../../node_modules');
/**
 * Packages the bundles load from node_modules instead of carrying: @azure/storage-common reads
 * its crc64.wasm from beside its own file, which a bundle is not.
 */
const NOT_BUNDLED = ['@azure/storage-common'];

let bundled: string | undefined;

/** The bundled file a stand-in script runs as (`checkout.ts` → `<folder>/checkout.cjs`). */
export function bundledName(script: string): string {
  return script.replace(/\.ts$/, '.cjs');
}

/**
 * The folder holding each of `scripts` (files under stand-ins/) bundled as `<name>.cjs`, made on
 * the first call of this process (later calls answer the same folder). Throws when one does not
 * bundle cleanly (a syntax error, an import that cannot be resolved, a warning, or a package that
 * reads `import.meta`, which a CommonJS bundle leaves empty: add it to NOT_BUNDLED): a step never
 * runs a stand-in that may break halfway.
 */
export function standInBundleDir(scripts: readonly string[]): string {
  if (bundled) return bundled;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'workflow-stand-ins-'));
  try {
    const { warnings } = buildSync({
      entryPoints: scripts.map((script) => path.join(sources, script)),
      outdir: folder,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      target: `node${process.versions.node.split('.')[0]}`,
      format: 'cjs',
      external: NOT_BUNDLED,
      logLevel: 'silent',
    });
    if (warnings.length > 0)
      throw new Error(warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`).join('\n'));
    for (const script of scripts) {
      // esbuild's stand-in for import.meta in a CommonJS bundle, preceded by the module's path.
      const text = readFileSync(path.join(folder, bundledName(script)), 'utf8');
      const empty = /\n\/\/ (\S+)\n(?:.*\n){0,20}?var import_meta\d* = \{\};/.exec(text);
      if (empty) throw new Error(`${bundledName(script)}: ${empty[1]} reads import.meta, which the bundle lacks`);
    }
    // Where the bundles find what they leave out.
    symlinkSync(nodeModules, path.join(folder, 'node_modules'), 'dir');
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`the stand-in actions (${sources}) do not bundle: ${(error as Error).message}`);
  }
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  bundled = folder;
  return folder;
}
