/**
 * Stand-in for actions/checkout@v6.0.2, written from its documented inputs: git init, a remote at
 * GITHUB_SERVER_URL/<repository>, one fetch with the inputs' semantics (ref or the event's
 * commit, filter, depth, tags), sparse checkout (cone mode by default), then the checkout the
 * real action makes (a local branch for a branch ref, detached otherwise). The token goes in
 * as an extra HTTP header and stays only with persist-credentials: true (the post step removes it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { getBooleanInput, getInput, getMultilineInput, info, run, saveState, setOutput } from './toolkit.ts';

/** The refspec the real action fetches for a ref and commit (its getRefSpec). */
export function refSpec(ref: string, commit: string): string[] {
  const upper = ref.toUpperCase();
  if (commit) {
    if (upper.startsWith('REFS/HEADS/')) return [`+${commit}:refs/remotes/origin/${ref.slice('refs/heads/'.length)}`];
    if (upper.startsWith('REFS/PULL/')) return [`+${commit}:refs/remotes/pull/${ref.slice('refs/pull/'.length)}`];
    if (upper.startsWith('REFS/TAGS/')) return [`+${commit}:${ref}`];
    return [commit];
  }
  if (upper.startsWith('REFS/HEADS/')) return [`+${ref}:refs/remotes/origin/${ref.slice('refs/heads/'.length)}`];
  if (upper.startsWith('REFS/PULL/')) return [`+${ref}:refs/remotes/pull/${ref.slice('refs/pull/'.length)}`];
  if (upper.startsWith('REFS/TAGS/')) return [`+${ref}:${ref}`];
  return [`+refs/heads/${ref}:refs/remotes/origin/${ref}`];
}

run(async () => {
  const workspace = process.env.GITHUB_WORKSPACE!;
  const dir = path.resolve(workspace, getInput('path') || '.');
  const repository = getInput('repository') || process.env.GITHUB_REPOSITORY!;
  let ref = getInput('ref');
  let commit = '';
  if (!ref && repository === process.env.GITHUB_REPOSITORY) {
    ref = process.env.GITHUB_REF!;
    commit = process.env.GITHUB_SHA!;
  }
  if (/^[0-9a-f]{40}$/i.test(ref)) [commit, ref] = [ref, ''];
  const server = (getInput('github-server-url') || process.env.GITHUB_SERVER_URL!).replace(/\/$/, '');
  const depth = Number(getInput('fetch-depth') || '1');
  const git = (args: string[]) => {
    info(`[command]git ${args.join(' ')}`);
    return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  };

  mkdirSync(dir, { recursive: true });
  if (getBooleanInput('clean'))
    for (const entry of readdirSync(dir)) rmSync(path.join(dir, entry), { recursive: true, force: true });
  if (getBooleanInput('set-safe-directory')) git(['config', '--global', '--add', 'safe.directory', dir]);
  git(['init', dir]);
  git(['remote', 'add', 'origin', `${server}/${repository}`]);
  git(['config', '--local', 'gc.auto', '0']);
  const headerKey = `http.${server}/.extraheader`;
  const token = getInput('token');
  if (token)
    git([
      'config',
      '--local',
      headerKey,
      `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
    ]);

  const fetch = ['-c', 'protocol.version=2', 'fetch', '--no-tags', '--prune', '--no-recurse-submodules'];
  if (getInput('filter')) fetch.push(`--filter=${getInput('filter')}`);
  else if (getMultilineInput('sparse-checkout').length) fetch.push('--filter=blob:none');
  if (depth > 0) fetch.push(`--depth=${depth}`);
  fetch.push('origin');
  if (depth > 0) fetch.push(...refSpec(ref, commit));
  else fetch.push('+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
  git(fetch);

  const sparse = getMultilineInput('sparse-checkout');
  if (sparse.length) {
    const cone = getBooleanInput('sparse-checkout-cone-mode');
    git(['sparse-checkout', 'set', ...(cone ? [] : ['--no-cone']), ...sparse]);
  }
  if (ref.toUpperCase().startsWith('REFS/HEADS/')) {
    const branch = ref.slice('refs/heads/'.length);
    git(['checkout', '--progress', '--force', '-B', branch, `refs/remotes/origin/${branch}`]);
  } else if (ref.toUpperCase().startsWith('REFS/PULL/')) {
    git(['checkout', '--progress', '--force', `refs/remotes/pull/${ref.slice('refs/pull/'.length)}`]);
  } else if (ref && !commit) {
    git(['checkout', '--progress', '--force', '-B', ref, `refs/remotes/origin/${ref}`]);
  } else git(['checkout', '--progress', '--force', commit || ref]);

  if (!getBooleanInput('persist-credentials') && token) git(['config', '--local', '--unset-all', headerKey]);
  saveState('repositoryPath', dir);
  saveState('headerKey', headerKey);
  setOutput('ref', ref);
  setOutput('commit', git(['rev-parse', 'HEAD']).trim());
});
