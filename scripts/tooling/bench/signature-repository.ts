/**
 * A bare git repository of sample signatures for the benchmarks, written through git
 * fast-import (a million files in a minute, where writing and adding them takes several).
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { renderSignatureFile, signatureRelativePath, type SignatureRecord } from '../../core/signature-file.ts';

const run = promisify(execFile);

/**
 * The environment to run `git fast-import` in: glibc's malloc keeps 16 MB of room at the top of
 * its heap. Without it fast-import grows and trims the heap over and over (76,485 `brk` calls for
 * 12,000 files, strace), and on our VMs each call costs about 56 µs in the kernel: 12,000 files
 * took 8.1 s to import, 0.28 s with it. Ignored where the C library is not glibc.
 */
export function fastImportEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const room = 'glibc.malloc.top_pad=16777216';
  return { ...env, GLIBC_TUNABLES: env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${room}` : room };
}

/**
 * Commits `records` as signature files (and `otherFiles`) on refs/heads/main of the bare
 * repository `directory`, creating it when `parent` is false, on top of main otherwise.
 */
export async function commitSignatures(
  directory: string,
  records: readonly SignatureRecord[],
  { parent = false, otherFiles = [] as string[], time = 1764000000 } = {},
): Promise<void> {
  if (!parent) {
    await run('git', ['init', '-q', '--bare', directory]);
    await run('git', ['-C', directory, 'config', 'uploadpack.allowFilter', 'true']);
    await run('git', ['-C', directory, 'config', 'uploadpack.allowAnySHA1InWant', 'true']);
  }
  const importer = spawn('git', ['-C', directory, 'fast-import', '--quiet'], {
    stdio: ['pipe', 'ignore', 'inherit'],
    env: fastImportEnv(),
  });
  const done = new Promise<void>((resolve, reject) =>
    importer.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import exited ${code}`)))),
  );
  const write = (text: string) =>
    importer.stdin.write(text)
      ? Promise.resolve()
      : new Promise<void>((resolve) => importer.stdin.once('drain', resolve));
  const message = `${records.length} signatures\n`;
  await write(
    `commit refs/heads/main\ncommitter Bench <bench@example.invalid> ${time} +0000\ndata ${Buffer.byteLength(message)}\n${message}` +
      (parent ? 'from refs/heads/main^0\n' : ''),
  );
  for (const file of otherFiles) await write(`M 100644 inline ${file}\ndata 3\n{}\n\n`);
  for (const record of records) {
    const text = renderSignatureFile(record);
    await write(
      `M 100644 inline signatures/${signatureRelativePath(record.user_id)}\ndata ${Buffer.byteLength(text)}\n${text}\n`,
    );
  }
  importer.stdin.end();
  await done;
  if (!parent) await run('git', ['-C', directory, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
}
