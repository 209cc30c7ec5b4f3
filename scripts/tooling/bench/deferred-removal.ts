/**
 * The folders the bench's builds wrote, removed when the bench ends rather than as soon as each
 * build is measured.
 *
 * Why: on an ext4 file system without a journal (this VM's disk: `/sys/fs/ext4/<disk>/journal_task`
 * reads `<none>`), the kernel's inode allocator steps over every inode deleted in the last minute
 * (`recently_deleted` in fs/ext4/ialloc.c, checked only when there is no journal), looking each one
 * up in the buffer cache. A build's own 3,600 files and folders at 100,000 signatures then cost
 * it 1.96 s of system CPU just after two earlier outputs were removed, against 1.2 s with nothing
 * removed in the minute before (0.9 s into tmpfs), and 3–4 s when its output folder had just been
 * emptied. The Pages workflow builds into a fresh folder on a journaled disk and never pays it, so
 * the bench no longer makes its builds pay it either.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const pending = new Set<string>();
let guarded = false;

/** Removes `folder` when the bench ends (or exits early); until then it stays where it is. */
export function removeLater(folder: string): void {
  pending.add(folder);
  if (guarded) return;
  guarded = true;
  // A bench that throws or exits early leaves no folder behind.
  process.once('exit', () => {
    for (const left of pending) rmSync(left, { recursive: true, force: true });
  });
}

/** Removes every folder handed to {@link removeLater}: call it once nothing more is measured. */
export async function removeDeferred(): Promise<void> {
  const folders = [...pending];
  pending.clear();
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
}
