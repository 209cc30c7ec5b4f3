/**
 * The Pages workflow's build after one processor run: the site built through git
 * (PETITION_SIGNATURES=git) from a bare repository of N signatures with what the Pages workflow
 * keeps from its build of the commit before, which had `added` fewer: the records of that build
 * (PETITION_TRUSTED_RECORDS, the artifact of its run) and the record cache. Measured: the first
 * build (neither), the rebuild with both, and a clean build of the same commit to compare with,
 * byte for byte.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSampleRecords } from '../../core/sample-signatures.ts';
import { measureBuild, sampleLetterSha256, siteFingerprint, type BuildRun } from './build.ts';
import { commitSignatures } from './signature-repository.ts';

const run = promisify(execFile);

export interface IncrementalResult {
  count: number;
  added: number;
  /** The first build: every blob read through git, the cache written. */
  cold: BuildRun;
  /** The rebuild after `added` more signatures, with the cache of the commit before. */
  warm: BuildRun;
  /** A build of the same commit without a cache. */
  clean: BuildRun;
  /** Files that differ between the rebuild and the clean build (none is the target). */
  differences: string[];
}

/**
 * A bare repository whose main has `count - added` sample signatures at the first commit returned
 * and `added` more at the second. The records are not kept: at 3,000,000 they are gigabytes.
 */
async function commitTwice(repository: string, count: number, added: number): Promise<[string, string]> {
  const records = generateSampleRecords(count, { seed: 7, letterSha256: await sampleLetterSha256() });
  await commitSignatures(repository, records.slice(0, count - added));
  const before = (await run('git', ['-C', repository, 'rev-parse', 'main'])).stdout.trim();
  await commitSignatures(repository, records.slice(count - added), { parent: true, time: 1764003600 });
  const after = (await run('git', ['-C', repository, 'rev-parse', 'main'])).stdout.trim();
  return [before, after];
}

/**
 * Builds the site three ways around one processor run that adds `added` signatures to `count - added`.
 * `inspectClean` sees the clean build's output and the environment it was built with, before both go.
 * `warmRounds`: how many times the rebuild runs, each from the same cache of the commit before;
 * the fastest is kept, as the benchmark keeps the fastest of the builds it compares it with.
 */
export async function measureIncremental(
  count: number,
  added = 1000,
  inspectClean?: (output: string, env: Record<string, string>) => Promise<void>,
  warmRounds = 1,
): Promise<IncrementalResult> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-incremental-'));
  try {
    const repository = path.join(work, 'origin.git');
    const [before, after] = await commitTwice(repository, count, added);
    const cacheFile = path.join(work, 'record-cache');
    const recordsFile = path.join(work, 'records.ndjson');
    const env = {
      PETITION_SIGNATURES: 'git',
      PETITION_SIGNATURES_REPOSITORY: repository,
      PETITION_TRUSTED_RECORDS: recordsFile,
      PETITION_RECORD_CACHE: cacheFile,
      // The same "now" for every build, so that their outputs can be compared.
      SOURCE_DATE_EPOCH: '1764010000',
    };
    const at = (commit: string) => run('git', ['-C', repository, 'update-ref', 'refs/heads/main', commit]);

    await at(before);
    const cold = await measureBuild(work, env);
    await at(after);
    const cacheBefore = `${cacheFile}.before`;
    const recordsBefore = `${recordsFile}.before`;
    await copyFile(cacheFile, cacheBefore);
    await copyFile(recordsFile, recordsBefore);
    let warmFiles = new Map<string, string>();
    let warm: BuildRun | undefined;
    for (let round = 1; round <= warmRounds; round += 1) {
      // Each rebuild starts from what the build of the commit before kept, as the workflow's does.
      if (round > 1) await Promise.all([copyFile(cacheBefore, cacheFile), copyFile(recordsBefore, recordsFile)]);
      const run = await measureBuild(work, env, async (output) => {
        if (round === 1) warmFiles = await siteFingerprint(output);
      });
      if (!warm || run.wallMs < warm.wallMs) warm = run;
    }
    let cleanFiles = new Map<string, string>();
    const cleanEnv = {
      ...env,
      PETITION_RECORD_CACHE: path.join(work, 'unused.cache'),
      PETITION_TRUSTED_RECORDS: path.join(work, 'unused.records'),
    };
    const clean = await measureBuild(work, cleanEnv, async (output) => {
      cleanFiles = await siteFingerprint(output);
      await inspectClean?.(output, cleanEnv);
    });
    const differences = [...new Set([...warmFiles.keys(), ...cleanFiles.keys()])].filter(
      (file) => warmFiles.get(file) !== cleanFiles.get(file),
    );
    return { count, added, cold, warm: warm!, clean, differences };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
