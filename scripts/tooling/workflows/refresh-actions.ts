/**
 * npm run refresh:actions — copies the real code of every action the workflows pin
 * (owner/repo@sha, and the actions those composite actions use) out of local snapshots into
 * .workflow-actions/<owner>/<repo>/<sha>/ (gitignored), where the local workflow runner finds
 * and runs it instead of our stand-ins.
 *
 * A snapshot is a bare git repository, by default /work/.mirror/<owner>+<repo>/repo (override
 * the folder holding them with WORKFLOW_ACTION_SNAPSHOTS). Nothing is downloaded here, and what
 * is copied must never be committed. Fails, naming the action, when a snapshot or a commit is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { parseUses } from './actions.ts';

/** Every `uses: owner/repo[/path]@ref` in a workflow or action file's text. */
export function pinnedActions(text: string): string[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*['"]?([\w.-]+\/[\w./-]+@[\w.-]+)/gm)].map((match) => match[1]!);
}

function gitOk(gitDir: string, args: string[]): boolean {
  return spawnSync('git', ['--git-dir', gitDir, ...args]).status === 0;
}

/** Copies one owner/repo@sha out of its snapshot; answers the composite steps' own `uses:`. */
function copyAction(root: string, snapshots: string, uses: string): string[] {
  const { owner, repo, ref, subpath } = parseUses(uses);
  const gitDir = path.join(snapshots, `${owner}+${repo}`, 'repo');
  if (!existsSync(gitDir)) throw new Error(`${uses}: no snapshot of ${owner}/${repo} at ${gitDir}`);
  if (!gitOk(gitDir, ['cat-file', '-e', `${ref}^{commit}`]))
    throw new Error(`${uses}: the snapshot ${gitDir} lacks commit ${ref}`);
  const target = path.join(root, '.workflow-actions', owner, repo, ref);
  if (!existsSync(path.join(target, '.complete'))) {
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', ref], { maxBuffer: 1 << 30 });
    const untar = archive.status === 0 ? spawnSync('tar', ['-x', '-C', target], { input: archive.stdout }) : undefined;
    if (!untar || untar.status !== 0) {
      // No half copy: the runner takes a folder with action.yml for the real code.
      rmSync(target, { recursive: true, force: true });
      const why = (untar ?? archive).stderr.toString('utf8').trim().split('\n')[0];
      throw new Error(`${uses}: the snapshot ${gitDir} cannot give commit ${ref} whole (${why})`);
    }
    spawnSync('touch', [path.join(target, '.complete')]);
  }
  const manifest = ['action.yml', 'action.yaml'].map((name) => path.join(target, subpath, name)).find(existsSync);
  if (!manifest) throw new Error(`${uses}: no action.yml in ${path.join(target, subpath)}`);
  const runs = (YAML.parse(readFileSync(manifest, 'utf8')) as { runs?: { using?: string } }).runs;
  return runs?.using === 'composite' ? pinnedActions(readFileSync(manifest, 'utf8')) : [];
}

/** Refreshes every action pinned by the workflows under `root`; answers what failed. */
export function refreshActions(root: string, snapshots: string, log: (line: string) => void): string[] {
  const workflows = path.join(root, '.github/workflows');
  const queue = readdirSync(workflows)
    .filter((name) => /\.ya?ml$/.test(name))
    .flatMap((name) => pinnedActions(readFileSync(path.join(workflows, name), 'utf8')));
  const done = new Set<string>();
  const failures: string[] = [];
  while (queue.length) {
    const uses = queue.shift()!;
    if (done.has(uses)) continue;
    done.add(uses);
    try {
      queue.push(...copyAction(root, snapshots, uses));
      log(`copied  ${uses}`);
    } catch (error) {
      failures.push((error as Error).message);
      log(`MISSING ${(error as Error).message}`);
    }
  }
  return failures;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const snapshots = process.env.WORKFLOW_ACTION_SNAPSHOTS ?? '/work/.mirror';
  const failures = refreshActions(process.cwd(), snapshots, (line) => process.stdout.write(`${line}\n`));
  if (failures.length) {
    process.stderr.write(`${failures.length} action(s) could not be copied; the runner uses its stand-ins for them.\n`);
    process.exitCode = 1;
  }
}
