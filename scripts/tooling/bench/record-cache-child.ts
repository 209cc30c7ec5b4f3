/**
 * One cold load of a repository's signatures through git with a record cache, as the Pages build
 * does (`node --import tsx record-cache-child.ts <repository> <cache file>`), in a process of its
 * own so that its CPU time and peak memory can be measured. Prints what the loader did as JSON.
 */
import { loadSignaturesFromGit } from '../../store/load-signatures-git.ts';

const [repository, cacheFile] = process.argv.slice(2);
if (!repository || !cacheFile) {
  console.error('usage: node --import tsx scripts/tooling/bench/record-cache-child.ts REPOSITORY CACHE_FILE');
  process.exit(2);
}
const loaded = await loadSignaturesFromGit({ repository, cacheFile });
console.log(
  JSON.stringify({ records: loaded.records.length, skipped: loaded.skipped.length, read: loaded.stats.read }),
);
