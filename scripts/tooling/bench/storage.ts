/**
 * How full the folders under signatures/ get: the sharding function (signatureRelativePath)
 * applied to a million user ids, counting the entries of every folder at every level.
 */
import { signatureRelativePath } from '../../core/signature-file.ts';

export interface FolderOccupancy {
  ids: number;
  /** Folders that hold signature files. */
  leafFolders: number;
  /** The most entries (files or folders) in any one folder, the top level included. */
  maxEntries: number;
  /** Where that is. */
  fullest: string;
}

/** Counts entries per folder for the paths the given ids would get. */
export function folderOccupancy(ids: Iterable<number>): FolderOccupancy {
  const subfolders = new Map<string, Set<string>>(); // "." and each top folder → its subfolders
  const files = new Map<string, number>(); // each leaf folder → its files
  let count = 0;
  for (const id of ids) {
    count += 1;
    const [top, middle] = signatureRelativePath(id).split('/') as [string, string, string];
    const leaf = `${top}/${middle}`;
    files.set(leaf, (files.get(leaf) ?? 0) + 1);
    for (const [folder, entry] of [
      ['.', top],
      [top, middle],
    ] as const) {
      let set = subfolders.get(folder);
      if (!set) subfolders.set(folder, (set = new Set()));
      set.add(entry);
    }
  }
  let maxEntries = 0;
  let fullest = '';
  const consider = (folder: string, n: number) => {
    if (n > maxEntries) [maxEntries, fullest] = [n, folder === '.' ? 'signatures/' : `signatures/${folder}/`];
  };
  for (const [folder, set] of subfolders) consider(folder, set.size);
  for (const [folder, n] of files) consider(folder, n);
  return { ids: count, leafFolders: files.size, maxEntries, fullest };
}

/** 1 … n: consecutive ids. */
export function* consecutiveIds(n: number): Generator<number> {
  for (let id = 1; id <= n; id += 1) yield id;
}

/** n distinct ids spread over GitHub's range (1 … 200,000,000), as real accounts are. */
export function* spreadIds(n: number, seed = 3): Generator<number> {
  let state = seed >>> 0;
  const seen = new Set<number>();
  while (seen.size < n) {
    // mulberry32, as the sample generator uses
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const id = 1 + Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 200_000_000);
    if (seen.has(id)) continue;
    seen.add(id);
    yield id;
  }
}
