import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/site.ts';

/** Every package the file imports, following the project's own relative imports. */
async function packagesImportedBy(entry: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    for (const match of source.matchAll(
      /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm,
    )) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) await visit(path.resolve(path.dirname(file), specifier));
      else if (!specifier.startsWith('node:'))
        packages.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  await visit(path.join(projectRoot, entry));
  return packages;
}

describe('the supply chain of the job that holds the write token', () => {
  it('needs exactly the production dependencies (and tsx to run them), so it installs with --omit=dev', async () => {
    const manifest = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8'));
    const imported = await packagesImportedBy('scripts/commands/process-signatures.ts');
    expect([...imported, 'tsx'].sort()).toEqual(Object.keys(manifest.dependencies).sort());
  });

  it('keeps signature files LF on every checkout, so a Windows clone recounts the same', async () => {
    const attributes = await readFile(path.join(projectRoot, '.gitattributes'), 'utf8');
    expect(attributes).toMatch(/^signatures\/\*\* text eol=lf$/m);
  });
});
