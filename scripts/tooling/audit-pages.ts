/**
 * `npm run audit:pages`: installs the audit's own package (scripts/tooling/audit/, Lighthouse pinned in
 * its package-lock.json) on first use, then runs scripts/tooling/audit/audit-pages.ts with the same
 * arguments. Lighthouse stays out of the main install, which every contributor and CI pays for.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const audit = path.join(path.dirname(fileURLToPath(import.meta.url)), 'audit');

/** The version of `name` installed in scripts/tooling/audit/, or undefined. */
function installed(name: string): string | undefined {
  try {
    const file = path.join(audit, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}
const locked = JSON.parse(readFileSync(path.join(audit, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const stale = ['lighthouse', 'chrome-launcher'].some(
  (name) => installed(name) !== locked.packages[`node_modules/${name}`]?.version,
);
if (stale) {
  console.log('Installing Lighthouse for the audit into scripts/tooling/audit/node_modules (once)…');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: audit,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (npm.status !== 0) process.exit(npm.status ?? 1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(audit, 'audit-pages.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
