/**
 * `npm run restore-records -- <file>`: the Pages build's first step after installing. Downloads
 * the records our own newest build kept (an artifact of a trusted run: scripts/github/trusted-records.ts)
 * into <file>, which the build then reads as PETITION_TRUSTED_RECORDS and rewrites for the commit
 * it builds; the workflow uploads the new file as the artifact of its own run.
 *
 * Records parsed by other rules than this checkout's (a change to the parsing code, the
 * dependencies or Node's Unicode version) are not written: the build could not use them. The step's
 * output `found` says whether <file> was written, so that the workflow restores the record cache
 * only for a build the records do not serve.
 *
 * A speed-up only: when there are no such records, or GitHub cannot be reached, it says why and
 * leaves <file> absent, and the build reads the signature files instead. It fails only when it is
 * not set up (no token, repository or branch).
 *
 * Environment: GITHUB_TOKEN (`actions: read`), GITHUB_REPOSITORY, GITHUB_API_URL,
 * PETITION_DEFAULT_BRANCH (the repository's default branch: the branch whose runs are ours), and
 * GITHUB_OUTPUT (the step's outputs, set by Actions).
 */
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inertLogText } from '../core/text.ts';
import { createClient } from '../github/client.ts';
import { findRecords, type FoundRecords } from '../github/trusted-records.ts';
import { trustedRulesFingerprint } from '../store/load-signatures-git.ts';
import { trustedRows } from '../store/load-signatures-git-trusted.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
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
const say = (line: string) => console.log(inertLogText(`[petition] ${line}`, 500));

/** Why records this checkout's build could not use are not written, or undefined when it can. */
async function unusableBecause(bytes: Uint8Array): Promise<string | undefined> {
  // The header is the first line, a few hundred bytes: looked for within the first 4 KB only.
  const start = Buffer.from(bytes.subarray(0, 4096));
  const newline = start.indexOf(0x0a);
  const header = newline < 0 ? undefined : start.toString('utf8', 0, newline);
  return trustedRows(await trustedRulesFingerprint(projectRoot)).headerProblem(header);
}

/** Writes the records beside `target` and renames them over it: a build never meets half a file. */
async function writeWhole(target: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.tmp`;
  await writeFile(partial, bytes);
  await rename(partial, target).catch(async (error: unknown) => {
    await rm(partial, { force: true });
    throw error;
  });
}

/** Finds, checks and writes the records; answers whether `target` now holds records to use. */
async function restore(target: string): Promise<boolean> {
  const octokit = createClient({
    token: env.GITHUB_TOKEN,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    log: say,
  });
  let found: FoundRecords;
  try {
    found = await findRecords(octokit, {
      repository: env.GITHUB_REPOSITORY!,
      defaultBranch: env.PETITION_DEFAULT_BRANCH!.trim(),
    });
  } catch (error) {
    // Without the records the build reads the files: slower, never wrong.
    const { status, request } = error as { status?: unknown; request?: { method?: string; url?: string } };
    const where = request?.url ? ` from ${request.method ?? 'GET'} ${request.url}` : '';
    say(
      `The records of our own builds could not be restored (${status ? `HTTP ${String(status)}${where}: ` : ''}` +
        `${(error as Error).message}); the build reads the signature files.`,
    );
    return false;
  }
  if (!found.found) {
    say(`No records of our own builds to start from: ${found.why}.`);
    return false;
  }
  const from = `run ${found.runId} (commit ${found.headSha.slice(0, 12)}, artifact ${found.artifactId})`;
  const unusable = await unusableBecause(found.bytes);
  if (unusable) {
    say(`The records of our own build from ${from} are not used: ${unusable}.`);
    return false;
  }
  await writeWhole(target, found.bytes);
  say(`Records of our own build restored from ${from}: ${(found.bytes.length / 1024 ** 2).toFixed(1)} MB.`);
  return true;
}

const restored = await restore(path.resolve(file));
if (env.GITHUB_OUTPUT) await appendFile(env.GITHUB_OUTPUT, `found=${restored}\n`);
