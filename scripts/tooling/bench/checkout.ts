/**
 * What the processor's job pays to check out a repository of N signatures: the full way
 * (actions/checkout's default, depth 1, every file) and the project's way (depth 1, blobless,
 * sparse without signatures/, with a sparse index, then the few signer files a run needs read
 * through git). Measured against a local bare repository served over file://, git's pack
 * protocol as with GitHub.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateSampleRecords } from '../../core/sample-signatures.ts';
import { commitSignatures } from './signature-repository.ts';
import { gitStore } from '../../store/signature-store.ts';

const run = promisify(execFile);

export interface CheckoutResult {
  signatures: number;
  /** Seconds and bytes on disk for each way. */
  full: { seconds: number; bytes: number };
  sparse: { seconds: number; bytes: number; indexBytes: number; readSeconds: number; filesRead: number };
}

async function du(directory: string): Promise<number> {
  const { stdout } = await run('du', ['-sb', directory]);
  return Number(stdout.split('\t')[0]);
}

/** Writes a bare repository with `count` signature files in one commit, through git fast-import. */
async function makeOrigin(directory: string, count: number): Promise<number[]> {
  const records = generateSampleRecords(count, { seed: 3 });
  await commitSignatures(directory, records, {
    otherFiles: ['content/settings.json', '.github/ISSUE_TEMPLATE/sign.yml', 'scripts/commands/process-signatures.ts'],
  });
  return records.map((record) => record.user_id);
}

/** Measures both ways of checking out a repository of `count` signatures, reading `reads` signer files. */
export async function measureCheckout(count: number, reads = 100): Promise<CheckoutResult> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'petition-bench-checkout-'));
  try {
    const origin = path.join(work, 'origin.git');
    const ids = await makeOrigin(origin, count);
    const url = `file://${origin}`;

    let started = performance.now();
    const full = path.join(work, 'full');
    await run('git', ['clone', '-q', '--depth', '1', url, full], { maxBuffer: 1 << 26 });
    const fullSeconds = (performance.now() - started) / 1000;
    const fullBytes = await du(full);
    await rm(full, { recursive: true, force: true });

    started = performance.now();
    const sparse = path.join(work, 'sparse');
    // As the workflows' checkout steps configure it: a sparse index, signatures/ one entry in it.
    const sparseIndex = ['-c', 'index.sparse=true'];
    await run('git', [...sparseIndex, 'clone', '-q', '--depth', '1', '--filter=blob:none', '--sparse', url, sparse]);
    await run('git', [...sparseIndex, '-C', sparse, 'sparse-checkout', 'set', '.github', 'content', 'scripts']);
    const sparseSeconds = (performance.now() - started) / 1000;
    const sparseBytes = await du(sparse);
    const indexBytes = (await stat(path.join(sparse, '.git/index'))).size;

    // A run's reads: the files of `reads` signers who already signed.
    started = performance.now();
    const store = gitStore({ repository: sparse });
    const wanted = ids.slice(0, reads);
    const files = await store.readMany(wanted);
    const readSeconds = (performance.now() - started) / 1000;
    if (wanted.some((id) => files.get(id) === undefined)) throw new Error('The git store missed a signer.');
    return {
      signatures: count,
      full: { seconds: fullSeconds, bytes: fullBytes },
      sparse: { seconds: sparseSeconds, bytes: sparseBytes, indexBytes, readSeconds, filesRead: wanted.length },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
