/**
 * `npm run restore-records -- <file>`: the Pages build's first step after installing. Downloads
 * the records our own newest build kept (an artifact of a trusted run: scripts/github/trusted-records.ts)
 * into <file>, which the build then reads as PETITION_TRUSTED_RECORDS and rewrites for the commit
 * it builds; the workflow uploads the new file as the artifact of its own run.
 *
 * A speed-up only: when there are no such records, or GitHub cannot be reached, it says why and
 * leaves <file> absent, and the build reads the signature files instead. It fails only when it is
 * not set up (no token, repository or branch).
 *
 * Environment: GITHUB_TOKEN (`actions: read`), GITHUB_REPOSITORY, GITHUB_API_URL, and
 * PETITION_DEFAULT_BRANCH (the repository's default branch: the branch whose runs are ours).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inertLogText } from '../core/text.ts';
import { createClient } from '../github/client.ts';
import { findRecords } from '../github/trusted-records.ts';

const env = process.env;
const file = process.argv[2];
const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY', 'PETITION_DEFAULT_BRANCH'].filter((name) => !env[name]?.trim());
if (!file || missing.length > 0) {
  console.error(
    `Usage: npm run restore-records -- <file>, with ${missing.length ? `${missing.join(', ')} set` : 'the file to write'}. ` +
      'In GitHub Actions: GITHUB_TOKEN: ${{ github.token }} (permissions: actions: read), ' +
      'PETITION_DEFAULT_BRANCH: ${{ github.event.repository.default_branch || github.ref_name }}.',
  );
  process.exit(1);
}

const octokit = createClient({
  token: env.GITHUB_TOKEN,
  baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
  log: (message) => console.log(inertLogText(`[petition] ${message}`, 500)),
});
const target = path.resolve(file);
try {
  const found = await findRecords(octokit, {
    repository: env.GITHUB_REPOSITORY!,
    defaultBranch: env.PETITION_DEFAULT_BRANCH!.trim(),
  });
  if (!found.found) {
    console.log(inertLogText(`[petition] No records of our own builds to start from: ${found.why}.`, 500));
  } else {
    // Written beside the target and renamed: a build never meets half a file.
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.tmp`;
    await writeFile(partial, found.bytes);
    await rename(partial, target).catch(async (error: unknown) => {
      await rm(partial, { force: true });
      throw error;
    });
    console.log(
      inertLogText(
        `[petition] Records of our own build restored from run ${found.runId} ` +
          `(commit ${found.headSha.slice(0, 12)}, artifact ${found.artifactId}): ` +
          `${(found.bytes.length / 1024 ** 2).toFixed(1)} MB.`,
        500,
      ),
    );
  }
} catch (error) {
  // Without the records the build reads the files: slower, never wrong.
  const { status, request } = error as { status?: unknown; request?: { method?: string; url?: string } };
  console.log(
    inertLogText(
      `[petition] The records of our own builds could not be restored (${status ? `HTTP ${String(status)}${request?.url ? ` from ${request.method ?? 'GET'} ${request.url}` : ''}: ` : ''}` +
        `${(error as Error).message}); the build reads the signature files.`,
      500,
    ),
  );
}
