/** The fake's git routes: the branch's ref, commits and trees (the Git Database API), contents, commits by path. */
import { readBlobsAtOnce } from './git-database.ts';
import { notFound, validationFailed } from './repository.ts';
import type { Handler, Route } from './route.ts';

const getRef: Handler = ({ repository, shapes }, m) => {
  if (m[1] !== repository.branch) throw notFound();
  return [200, shapes.refJson()];
};

const updateRef: Handler = ({ repository, shapes }, m, _u, body) => {
  if (m[1] !== repository.branch) throw validationFailed('Reference does not exist');
  const sha = String(body.sha ?? '');
  if (!repository.commits.has(sha)) throw validationFailed('Object does not exist');
  if (repository.protection) throw validationFailed(repository.protection);
  if (!body.force && !repository.isAncestor(repository.head(), sha))
    throw validationFailed('Update is not a fast forward');
  repository.refs.set(repository.branch, sha);
  return [200, shapes.refJson()];
};

const getCommit: Handler = ({ repository, shapes }, m) => {
  if (!repository.commits.has(m[1]!)) throw notFound();
  return [200, shapes.commitJson(m[1]!)];
};

interface TreeEntry {
  path: string;
  mode: string;
  type: string;
  content?: string;
  sha?: string | null;
}

const createTree: Handler = ({ repository, shapes }, _m, _u, body) => {
  const baseSha = body.base_tree as string | undefined;
  if (baseSha && !repository.trees.has(baseSha))
    throw validationFailed('Invalid tree info', [{ resource: 'Tree', code: 'invalid', field: 'base_tree' }]);
  const entries = new Map(baseSha ? repository.trees.get(baseSha)! : []);
  for (const entry of (body.tree as TreeEntry[]) ?? []) {
    if (entry.sha === null) {
      if (!entries.has(entry.path))
        throw validationFailed('GitRPC::BadObjectState', [
          {
            resource: 'Tree',
            code: 'invalid',
            field: 'tree.path',
            message: `${entry.path} does not exist in the base tree`,
          },
        ]);
      entries.delete(entry.path);
    } else if (typeof entry.content === 'string') {
      entries.set(entry.path, repository.storeBlob(entry.content));
    } else if (entry.sha && repository.blobs.has(entry.sha)) {
      entries.set(entry.path, entry.sha);
    } else throw validationFailed('Invalid tree info', [{ resource: 'Tree', code: 'invalid', field: 'tree' }]);
  }
  const sha = repository.storeTree(entries);
  const { repoPath } = shapes.where;
  readBlobsAtOnce(repository.blobs, entries.values());
  return [
    201,
    {
      sha,
      url: shapes.api(`${repoPath}/git/trees/${sha}`),
      truncated: false,
      tree: [...entries].map(([path, blob]) => ({
        path,
        mode: '100644',
        type: 'blob',
        sha: blob,
        size: Buffer.byteLength(repository.blobs.get(blob)!),
        url: shapes.api(`${repoPath}/git/blobs/${blob}`),
      })),
    },
  ];
};

const createCommit: Handler = ({ repository, shapes }, _m, _u, body) => {
  const tree = String(body.tree ?? '');
  const parents = (body.parents as string[]) ?? [];
  if (!repository.trees.has(tree) || parents.some((parent) => !repository.commits.has(parent)))
    throw validationFailed('Invalid request');
  return [201, shapes.commitJson(repository.storeCommit(tree, parents, String(body.message ?? '')))];
};

const getContents: Handler = ({ repository, shapes }, m, url) => {
  const ref = url.searchParams.get('ref') ?? repository.branch;
  const commitSha = ref === repository.branch ? repository.head() : ref;
  if (!repository.commits.has(commitSha)) throw notFound();
  const path = decodeURIComponent(m[1]!);
  const blob = repository.trees.get(repository.commits.get(commitSha)!.tree)!.get(path);
  if (!blob) throw notFound();
  const content = repository.blobs.get(blob)!;
  const { repoPath, owner, repo } = shapes.where;
  return [
    200,
    {
      type: 'file',
      encoding: 'base64',
      size: Buffer.byteLength(content),
      name: path.split('/').pop(),
      path,
      content: Buffer.from(content).toString('base64'),
      sha: blob,
      url: shapes.api(`${repoPath}/contents/${path}`),
      git_url: shapes.api(`${repoPath}/git/blobs/${blob}`),
      html_url: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`,
      download_url: null,
      _links: {
        self: shapes.api(`${repoPath}/contents/${path}`),
        git: shapes.api(`${repoPath}/git/blobs/${blob}`),
        html: `https://github.com/${owner}/${repo}/blob/${ref}/${path}`,
      },
    },
  ];
};

const listCommits: Handler = ({ repository, shapes }, _m, url, _b, res) => {
  const { commits, trees } = repository;
  const start =
    url.searchParams.get('sha') === repository.branch || !url.searchParams.get('sha')
      ? repository.head()
      : url.searchParams.get('sha')!;
  const path = url.searchParams.get('path');
  const list: string[] = [];
  for (let sha: string | undefined = start; sha; sha = commits.get(sha)?.parents[0]) {
    const commit = commits.get(sha)!;
    const parent = commit.parents[0];
    const now = trees.get(commit.tree)!.get(path ?? '');
    const before = parent ? trees.get(commits.get(parent)!.tree)!.get(path ?? '') : undefined;
    if (!path || now !== before) list.push(sha);
  }
  const { repoPath, owner, repo } = shapes.where;
  return [
    200,
    shapes.paginate(url, list, res).map((sha) => ({
      sha,
      node_id: `C_${sha}`,
      url: shapes.api(`${repoPath}/commits/${sha}`),
      html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
      comments_url: shapes.api(`${repoPath}/commits/${sha}/comments`),
      commit: { ...shapes.commitJson(sha), comment_count: 0 },
      author: null,
      committer: null,
      parents: shapes.commitJson(sha).parents,
    })),
  ];
};

/** The git routes of the repository at `repoPath` (`/repos/{owner}/{repo}`). */
export function gitRoutes(repoPath: string): Route[] {
  return [
    ['GET', new RegExp(`^${repoPath}/git/ref/heads/(.+)$`), getRef],
    ['PATCH', new RegExp(`^${repoPath}/git/refs/heads/(.+)$`), updateRef],
    ['GET', new RegExp(`^${repoPath}/git/commits/([0-9a-f]{40})$`), getCommit],
    ['POST', new RegExp(`^${repoPath}/git/trees$`), createTree],
    ['POST', new RegExp(`^${repoPath}/git/commits$`), createCommit],
    ['GET', new RegExp(`^${repoPath}/contents/(.+)$`), getContents],
    ['GET', new RegExp(`^${repoPath}/commits$`), listCommits],
  ];
}
