/**
 * The protections of issue #26, RUN (2 of 2): what is published after a record cache forged by
 * another job on main, and after a letter edited in the web editor (scripts/tooling/workflows/
 * against GitHub on 127.0.0.1). One template repository and one install for the file; in order.
 * The other half: security-scenarios.test.ts; the shared set-up and
 * SECURITY_SCENARIOS_WORKFLOWS_FROM: ./security-repository.ts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, fileHashes, referenceBuild, unpackDeployment } from './local-github.ts';
import {
  commit,
  head,
  inSignatures,
  jobsOf,
  logOf,
  pushEvent,
  signatureFile,
  useSecurityRepository,
} from './security-repository.ts';

const repo = useSecurityRepository('security scenarios (what is published)');

describe('what the #26 protections do when the workflows run', () => {
  it('a record cache forged by another job on main changes nothing published, and the build log names the rows it rejected', async () => {
    // A real signature on main, whose cache row the forger alters.
    const [realFile, realText] = signatureFile(3456789, 'newer', 'Newer Signer');
    commit(repo, { [realFile]: realText }, 'Add a signature');
    const realBlob = repo.gh.gitBare(['rev-parse', `refs/heads/main:${realFile}`]).trim();
    const [phantomFile, phantomText] = signatureFile(9999999, 'phantom', 'Phantom Signer');
    const phantomBlob = execFileSync('git', ['hash-object', '--stdin'], {
      input: phantomText,
      encoding: 'utf8',
    }).trim();
    const [, alteredText] = signatureFile(3456789, 'newer', 'Somebody Else');
    // The cache's rows: "<blob id> <path>\n", git's object ("blob <size>\0" and the bytes), "\n".
    const row = (file: string, blob: string, text: string) => {
      const bytes = Buffer.from(text);
      return Buffer.concat([Buffer.from(`${blob} ${file}\nblob ${bytes.length}\0`), bytes, Buffer.from('\n')]);
    };
    const forged = Buffer.concat([
      Buffer.from(
        `${JSON.stringify({ format: 'petition-blob-cache/3', commit: '0'.repeat(40), tree: '0'.repeat(40) })}\n`,
      ),
      // Rows name paths inside signatures/, as the build writes them.
      row(inSignatures(phantomFile), phantomBlob, phantomText),
      row(inSignatures(realFile), realBlob, alteredText),
    ]).toString('base64');
    // "ci.yml on main" with a compromised dependency: a job on main, saving under the Pages prefix.
    const forgeWorkflow = [
      'name: CI',
      'on: push',
      'permissions: {}',
      'jobs:',
      '  check:',
      '    runs-on: ubuntu-latest',
      '    permissions:',
      '      contents: read',
      '    steps:',
      '      - run: |',
      '          mkdir -p .petition-cache',
      `          echo '${forged}' | base64 -d > .petition-cache/records.ndjson`,
      '      - uses: actions/cache/save@668228422ae6a00e4ad889ee87cd7109ec5666a7 # v5.0.4',
      '        with:',
      '          path: .petition-cache',
      '          key: petition-signature-files-forged',
    ].join('\n');
    const forgeCommit = commit(repo, { '.github/workflows/forge.yml': `${forgeWorkflow}\n` }, 'Forge', 'refs/forge/ci');
    const forge = await repo.gh.run({
      workflow: '.github/workflows/forge.yml',
      event: pushEvent(forgeCommit),
      sha: forgeCommit,
    });
    expect(forge.error, explain(forge)).toBeUndefined();
    expect(repo.gh.services.cacheEntries.find((entry) => entry.key === 'petition-signature-files-forged')?.scope).toBe(
      'refs/heads/main',
    );

    // A day without a build: the records the last build kept (an artifact of its run) have
    // expired, so the next build starts from the record cache, as after a change to the parsing code.
    for (const artifact of repo.gh.api.artifacts) if (artifact.name === 'petition-records') artifact.expired = true;
    // The next push to main: its Pages build restores the forged entry (newest under the prefix).
    const [file, text] = signatureFile(4567890, 'another', 'Another Signer');
    const next = commit(repo, { [file]: text }, 'Add another signature');
    const pages = await repo.gh.run({ workflow: '.github/workflows/pages.yml', event: pushEvent(next), sha: next });
    expect(pages.error, explain(pages)).toBeUndefined();
    const log = logOf(pages);
    expect(log).toContain('Cache restored from key: petition-signature-files-forged');
    expect(log).toContain('The cache may have been tampered with');
    expect(log).toContain(`${inSignatures(phantomFile)}: not a signature file`);
    expect(log).toContain(`${inSignatures(realFile)}: the text does not hash to its blob id`);

    // What was deployed is what a clean build of the same commit makes.
    const deployed = unpackDeployment(repo.gh, repo.gh.services.deployments.at(-1)!, 'forged');
    expect(fileHashes(deployed)).toEqual(fileHashes(referenceBuild(repo.gh, 'forged', next)));
    expect(readFileSync(path.join(deployed, 'data/tally.json'), 'utf8')).not.toContain('Phantom');
  }, 600_000);

  it('a letter edited in the web editor makes derive.yml commit its archive copy and the called Pages build publish it', async () => {
    const letter = readFileSync(path.join(repo.work, 'content/letter.md'), 'utf8');
    const edited = commit(
      repo,
      { 'content/letter.md': `${letter.trimEnd()}\n\nOne more sentence, added in the web editor.\n` },
      'Update letter.md',
    );
    const run = await repo.gh.run({ workflow: '.github/workflows/derive.yml', event: pushEvent(edited), sha: edited });
    expect(run.error, explain(run)).toBeUndefined();
    const jobs = jobsOf(run);
    expect(jobs.derive!.outputs.committed).toBe('true');
    const derived = head(repo);
    const added = repo.gh.gitBare(['diff', '--name-only', '--diff-filter=A', edited, derived]).trim().split('\n');
    const archive = added.find((file) => /^content\/letter-versions\/en\/[0-9a-f]{64}\.md$/.test(file));
    expect(archive, added.join('\n')).toBeDefined();
    expect(jobs['deploy/build']!.result).toBe('success');
    expect(jobs['deploy/deploy']!.result).toBe('success');
    const deployed = unpackDeployment(repo.gh, repo.gh.services.deployments.at(-1)!, 'derived');
    const digest = path.basename(archive!, '.md');
    expect(statSync(path.join(deployed, `letter/versions/${digest}/index.html`)).isFile()).toBe(true);
    expect(readFileSync(path.join(deployed, 'letter/index.html'), 'utf8')).toContain('One more sentence');
  }, 600_000);
});
