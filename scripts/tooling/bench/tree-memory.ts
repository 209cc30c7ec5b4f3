/**
 * The resident memory of a whole process tree, sampled: a build's own getrusage peak leaves out
 * the `git cat-file` and other children it starts, which the runner's memory holds too. Linux
 * only (/proc); elsewhere the sampler reports 0 and the caller keeps the process's own peak.
 */
import { readFileSync } from 'node:fs';

const PAGE_BYTES = 4096;

/** The ids of `pid` and every descendant of it alive now. */
function processTree(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.pop()!;
    found.push(next);
    let tasks: string;
    try {
      tasks = readFileSync(`/proc/${next}/task/${next}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of tasks.split(' ')) if (child.trim()) queue.push(Number(child));
  }
  return found;
}

/** The resident memory of `pid` and its descendants now, in KiB (0 where /proc cannot be read). */
export function treeResidentKb(pid: number): number {
  let pages = 0;
  for (const id of processTree(pid)) {
    try {
      // statm: size resident shared text lib data dt, in pages.
      pages += Number(readFileSync(`/proc/${id}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return (pages * PAGE_BYTES) / 1024;
}

/**
 * Samples the tree under `pid` every `intervalMs` until stopped; `stop()` returns the highest sum
 * seen, in KiB. A spike shorter than the interval can be missed: the caller takes the larger of
 * this and the main process's own getrusage peak.
 */
export function sampleTreeMemory(pid: number, intervalMs = 100): { stop: () => number } {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, treeResidentKb(pid));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return peak;
    },
  };
}
