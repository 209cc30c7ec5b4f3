/**
 * Prints the repository-scale section of `npm run bench` (--repository-scale): each size measured
 * one after another (repository-scale.ts), then every figure extrapolated to 10,000,000 and set
 * against the limit it meets first, with where that limit is reached.
 */
import os from 'node:os';
import { describe, measureRepositoryScale, V8_MAX_STRING, type RepositoryScale } from './repository-scale.ts';

const TEN_MILLION = 10_000_000;
const GB = 1024 ** 3;
const MB = 1024 ** 2;

/** A figure read from a measurement, and the limit it is held against (undefined: none). */
interface Line {
  label: string;
  value: (r: RepositoryScale) => number;
  unit: 'bytes' | 's' | 'count';
  limit?: { value: number; what: string };
}

/** Where each figure meets a limit. Sources: docs/_incoming/wip-paper.md ("How far it goes"). */
const LINES: Line[] = [
  {
    label: 'repository after git repack -ad (the pack, history included)',
    value: (r) => r.packBytes,
    unit: 'bytes',
    limit: { value: 5 * GB, what: "GitHub: 'less than 5 GB is strongly recommended' (ideally < 1 GB; 10 GB on disk)" },
  },
  { label: '… of which trees (every commit rewrites ~500 folders)', value: (r) => r.objects.treeBytes, unit: 'bytes' },
  { label: '… of which blobs (the signature files)', value: (r) => r.objects.blobBytes, unit: 'bytes' },
  {
    label: 'objects (commits + trees + blobs)',
    value: (r) => r.objects.commits + r.objects.trees + r.objects.blobs,
    unit: 'count',
  },
  {
    label: 'widest folder of signatures/ (entries)',
    value: (r) => r.lsTree.widestFolder,
    unit: 'count',
    limit: { value: 3000, what: 'GitHub: directory width 3,000 entries' },
  },
  {
    label: 'git ls-tree -r of signatures/ (output bytes)',
    value: (r) => r.lsTree.stdoutBytes,
    unit: 'bytes',
    limit: { value: V8_MAX_STRING, what: "V8's longest string (the loader once read the listing as one string)" },
  },
  { label: 'git ls-tree -r of signatures/ (CPU s)', value: (r) => r.lsTree.cpuS, unit: 's' },
  { label: 'git diff-tree -r, 1,000 signatures apart (CPU s)', value: (r) => r.diffTree.cpuS, unit: 's' },
  { label: 'git cat-file --batch of every blob at the head (CPU s)', value: (r) => r.catFile.cpuS, unit: 's' },
  { label: '… its output (bytes)', value: (r) => r.catFile.stdoutBytes, unit: 'bytes' },
  {
    label: 'index of a full checkout (version 2)',
    value: (r) => r.index.bytes,
    unit: 'bytes',
  },
  { label: 'index of a full checkout (version 4)', value: (r) => r.index.v4Bytes, unit: 'bytes' },
  {
    label: 'files of a full checkout on disk (one 4 KiB block each)',
    value: (r) => (r.history.githubSignatures + r.history.offlineSignatures) * 4096,
    unit: 'bytes',
    limit: { value: 14 * GB, what: "a GitHub-hosted runner's 14 GB SSD" },
  },
  {
    label: 'blobless sparse clone (the workflows’ checkout), wall s',
    value: (r) => r.sparseClone.wallS,
    unit: 's',
  },
  {
    label: '… its CPU s (git clone and, over file://, the serving upload-pack)',
    value: (r) => r.sparseClone.cpuS,
    unit: 's',
  },
  { label: '… its size on disk', value: (r) => r.sparseClone.bytes, unit: 'bytes' },
  { label: '… of which .git/index (every path, skip-worktree)', value: (r) => r.sparseClone.indexBytes, unit: 'bytes' },
  { label: '… with a sparse index instead', value: (r) => r.sparseIndexBytes, unit: 'bytes' },
  {
    label: 'the same clone keeping a sparse index (-c index.sparse=true), wall s',
    // Not measured by the first runs of this section.
    value: (r) => r.sparseIndexClone?.wallS ?? Number.NaN,
    unit: 's',
  },
  { label: 'Pages loader from cold (CPU s)', value: (r) => r.recordCache.cpuS, unit: 's' },
  {
    label: 'Pages loader from cold (peak memory)',
    value: (r) => r.recordCache.maxRssMb * MB,
    unit: 'bytes',
    limit: { value: 16 * GB, what: "a public repository's runner: 16 GB RAM (7 GB private)" },
  },
  { label: 'record cache (raw)', value: (r) => r.recordCache.bytes, unit: 'bytes' },
  {
    label: 'record cache as actions/cache stores it (zstd --long=30)',
    value: (r) => r.recordCache.zstdBytes,
    unit: 'bytes',
    limit: { value: 10 * GB, what: 'Actions cache: 10 GB a repository, least recently used evicted' },
  },
];

const int = (n: number) => Math.round(n).toLocaleString('en');
function show(value: number, unit: Line['unit']): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'count') return int(value);
  if (unit === 's') return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  if (value >= GB) return `${(value / GB).toFixed(2)} GB`;
  if (value >= MB) return `${(value / MB).toFixed(1)} MB`;
  return `${(value / 1024).toFixed(1)} KB`;
}

/**
 * The straight line through the two largest sizes (through the origin with one size): figures
 * here grow with the files, and a line is what the per-signature costs say. Returns y at `n`
 * and the n at which y reaches `limit`.
 */
export function extrapolate(points: Array<[number, number]>, n: number, limit?: number) {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const [x2, y2] = sorted.at(-1)!;
  const [x1, y1] = sorted.length > 1 ? sorted.at(-2)! : [0, 0];
  const slope = (y2 - y1) / (x2 - x1);
  const at = (x: number) => y2 + slope * (x - x2);
  const reached = limit === undefined || slope <= 0 ? undefined : x2 + (limit - y2) / slope;
  return { value: at(n), perSignature: slope, reachedAt: reached };
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Measures each size in turn (largest last) and prints the figures, the extrapolation and the limits. */
export async function printRepositoryScale(
  sizes: readonly number[],
  letterSha256: string,
  perCommit = 500,
): Promise<void> {
  console.log(
    `\n## Repository scale: a bare repository with the processor's history (${int(perCommit)} signatures a commit), at ${sizes.map(int).join(', ')} signatures\n`,
  );
  const measured: RepositoryScale[] = [];
  for (const n of [...sizes].sort((a, b) => a - b)) {
    console.log(`${int(n)} signatures (load average ${load()}):`);
    const result = await measureRepositoryScale(n, { letterSha256, perCommit });
    // Printed at once: a later, larger size that fails or is stopped leaves this one on record.
    console.log(`  raw: ${JSON.stringify(result)}`);
    measured.push(result);
  }
  console.log(`\nLoad average after: ${load()}\n`);
  reportRepositoryScale(measured);
}

/** The table of figures at each size, per signature, at 10,000,000 and against their limits, and the times. */
export function reportRepositoryScale(measured: readonly RepositoryScale[]): void {
  const rows = LINES.map((line) => {
    const points = measured.map((r) => [r.signatures, line.value(r)] as [number, number]);
    const fit = extrapolate(points, TEN_MILLION, line.limit?.value);
    const perSig =
      line.unit === 'count'
        ? fit.perSignature.toFixed(3)
        : line.unit === 's'
          ? `${(fit.perSignature * 1e6).toFixed(2)} µs`
          : `${fit.perSignature.toFixed(1)} B`;
    return [
      line.label,
      ...points.map(([, y]) => show(y, line.unit)),
      perSig,
      show(fit.value, line.unit),
      line.limit ? `${show(line.limit.value, line.unit)} (${line.limit.what})` : '',
      line.limit ? (fit.reachedAt === undefined ? 'never' : `${int(fit.reachedAt)}`) : '',
    ];
  });
  console.log(
    table(
      ['figure', ...measured.map((r) => int(r.signatures)), 'per signature', 'at 10,000,000', 'limit', 'reached at'],
      rows,
    ),
  );
  console.log('\nTimes (wall, CPU, peak memory of the process tree):');
  for (const r of measured) {
    console.log(
      `  ${int(r.signatures)}: generation ${describe(r.generate)}; repack ${describe(r.repack)}; ls-tree ${describe(r.lsTree)}; ` +
        `diff-tree (${int(r.diffTree.changed)} paths) ${describe(r.diffTree)}; cat-file ${describe(r.catFile)}; ` +
        `read-tree ${describe(r.index)}; sparse clone ${describe(r.sparseClone)} then 100 signers read ${r.sparseClone.readS.toFixed(2)} s; ` +
        `Pages loader ${describe(r.recordCache)}, cache ${show(r.recordCache.bytes, 'bytes')} → zstd ${show(r.recordCache.zstdBytes, 'bytes')} in ${r.recordCache.zstdS.toFixed(1)} s; ` +
        `${int(r.history.commits)} commits, ${int(r.history.offlineSignatures)} of the files offline, fast-import's packs ${show(r.importedPackBytes, 'bytes')}`,
    );
  }
}
