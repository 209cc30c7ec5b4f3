/**
 * A bare repository holding N signature files with the history the processor gives it: one commit
 * per run of a few hundred signatures (500 by default), the files in the real format at their
 * sharded paths (renderSignatureFile, signatureRelativePath), and now and then a commit of paper
 * and email signatures as `npm run add-signatures` writes them. Streamed into `git fast-import`:
 * nothing is written to disk but the repository, and memory stays flat whatever N is.
 *
 * Used by the repository-scale section of `npm run bench` (--repository-scale) and by its test.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { offlineRelativePath, renderOfflineSignatureFile } from '../../core/offline-signature.ts';
import { generateOfflineSampleRecords, generateSampleRecords } from '../../core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath, type SignatureRecord } from '../../core/signature-file.ts';
import { fastImportEnv } from './signature-repository.ts';

const run = promisify(execFile);

/** GitHub-like user ids without a set of those used: i ↦ 1 + (i·STRIDE mod SPAN) is one-to-one over 0 … SPAN-1. */
const SPAN = 200_000_000; // 2⁹·5⁸
const STRIDE = 123_606_797; // neither even nor a multiple of 5: coprime with SPAN

/** The i-th signer's user id (i from 0): distinct for every i below 200,000,000, spread over the shards. */
export function historyUserId(index: number): number {
  return 1 + ((index * STRIDE) % SPAN);
}

export interface HistoryOptions {
  /** GitHub signatures in all. */
  signatures: number;
  /** Signatures a processor commit holds (the last commit may hold fewer). */
  perCommit?: number;
  /** After every this many processor commits, one commit of a batch of 40 paper/email signatures (0: none). */
  offlineEvery?: number;
  /** The letter's digest every signer saw (64 more bytes a file, as real signatures carry). */
  letterSha256?: string;
  /** Seconds between two processor commits (the schedule sweeps every 5 minutes at best). */
  secondsBetweenCommits?: number;
  seed?: number;
}

export interface HistorySummary {
  /** Commits on refs/heads/main, the first (README and root files) included. */
  commits: number;
  githubSignatures: number;
  offlineSignatures: number;
  /** Bytes of signature file text committed. */
  textBytes: number;
}

const OFFLINE_BATCH = 40;
const START = Date.parse('2026-09-01T00:00:00Z') / 1000;

/** The root files every checkout has, so that a sparse clone has something to check out. */
const ROOT_FILES: Record<string, string> = {
  'signatures/README.md': 'Signature files, one per signer, written by the processor.\n',
  'content/settings.json': '{}\n',
  '.github/ISSUE_TEMPLATE/sign.yml': 'name: Sign\n',
  'scripts/commands/process-signatures.ts': 'export {};\n',
};

/**
 * Writes the history into a new bare repository at `directory` (created; must not exist or be
 * empty) and points HEAD at refs/heads/main. Configured as served to blobless clones.
 */
export async function writeSignatureHistory(directory: string, options: HistoryOptions): Promise<HistorySummary> {
  const { signatures, perCommit = 500, offlineEvery = 50, letterSha256 = '', seed = 11 } = options;
  const between = options.secondsBetweenCommits ?? 600;
  if (!Number.isSafeInteger(signatures) || signatures < 0 || signatures >= SPAN)
    throw new Error(`Signatures must be a whole number below ${SPAN}: ${signatures}`);
  if (!Number.isSafeInteger(perCommit) || perCommit < 1) throw new Error(`perCommit must be at least 1: ${perCommit}`);
  await run('git', ['init', '-q', '--bare', directory]);
  for (const key of ['uploadpack.allowFilter', 'uploadpack.allowAnySHA1InWant'])
    await run('git', ['-C', directory, 'config', key, 'true']);

  const importer = spawn('git', ['-C', directory, 'fast-import', '--quiet', '--done'], {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: fastImportEnv(),
  });
  let errors = '';
  importer.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  const done = new Promise<void>((resolve, reject) => {
    importer.on('error', reject);
    importer.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}: ${errors.trim()}`)),
    );
  });
  const write = (text: string) =>
    importer.stdin.write(text)
      ? Promise.resolve()
      : new Promise<void>((resolve) => importer.stdin.once('drain', resolve));

  const summary: HistorySummary = { commits: 0, githubSignatures: 0, offlineSignatures: 0, textBytes: 0 };
  let time = START;
  const commit = (message: string, files: Array<[string, string]>) => {
    summary.commits += 1;
    time += between;
    const parts = [
      `commit refs/heads/main\ncommitter github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com> ${time} +0000\n`,
      `data ${Buffer.byteLength(message)}\n${message}\n`,
    ];
    for (const [file, text] of files) {
      const bytes = Buffer.byteLength(text);
      summary.textBytes += file.startsWith('signatures/') && file !== 'signatures/README.md' ? bytes : 0;
      parts.push(`M 100644 inline ${file}\ndata ${bytes}\n${text}\n`);
    }
    return write(parts.join(''));
  };

  await commit('Start the petition', Object.entries(ROOT_FILES));
  const offline = offlineEvery > 0 ? offlineRecords(signatures, perCommit, offlineEvery) : [];
  let runs = 0;
  for (let first = 0; first < signatures; first += perCommit) {
    const records = processorRun(first, Math.min(perCommit, signatures - first), time + between, between, {
      seed: seed + runs,
      letterSha256,
    });
    await commit(
      `Add ${records.length} signatures`,
      records.map((record) => [`signatures/${signatureRelativePath(record.user_id)}`, renderSignatureFile(record)]),
    );
    summary.githubSignatures += records.length;
    runs += 1;
    if (offlineEvery > 0 && runs % offlineEvery === 0) {
      const batch = offline.splice(0, OFFLINE_BATCH);
      if (batch.length > 0) {
        await commit(
          `Add batch ${batch[0]!.batch}`,
          batch.map((record) => [`signatures/${offlineRelativePath(record.id)}`, renderOfflineSignatureFile(record)]),
        );
        summary.offlineSignatures += batch.length;
      }
    }
  }
  await write('done\n');
  importer.stdin.end();
  await done;
  await run('git', ['-C', directory, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
  return summary;
}

/**
 * One processor run's signatures: the sample generator's names, countries and reasons, signed in
 * the `span` seconds before `commitTime`, with ids that stay distinct across runs and issue
 * numbers that grow as GitHub's do.
 */
function processorRun(
  first: number,
  count: number,
  commitTime: number,
  span: number,
  { seed, letterSha256 }: { seed: number; letterSha256: string },
): SignatureRecord[] {
  const records = generateSampleRecords(count, {
    seed,
    letterSha256,
    until: new Date(commitTime * 1000),
    days: span / 86_400,
  });
  return records.map((record, offset) => {
    const user_id = historyUserId(first + offset);
    return { ...record, user_id, login: `signer-${user_id.toString(36)}`, issue: first + offset + 1 };
  });
}

/** Every offline batch the history will commit, made up front (a few thousand records at ten million). */
function offlineRecords(signatures: number, perCommit: number, every: number) {
  const batches = Math.floor(Math.ceil(signatures / perCommit) / every);
  return generateOfflineSampleRecords(batches * OFFLINE_BATCH);
}

// `node --import tsx scripts/tooling/bench/signature-history.ts DIRECTORY SIGNATURES [LETTER_SHA256] [PER_COMMIT]`
// writes the repository and prints its summary as JSON (the bench runs it so, to time it alone).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [directory, count, letterSha256 = '', perCommit = '500'] = process.argv.slice(2);
  if (!directory || !/^\d+$/.test(count ?? '') || !/^\d+$/.test(perCommit)) {
    console.error(
      'usage: node --import tsx scripts/tooling/bench/signature-history.ts DIRECTORY SIGNATURES [LETTER_SHA256] [PER_COMMIT]',
    );
    process.exit(2);
  }
  console.log(
    JSON.stringify(
      await writeSignatureHistory(directory, { signatures: Number(count), letterSha256, perCommit: Number(perCommit) }),
    ),
  );
}
