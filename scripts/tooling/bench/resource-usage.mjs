// Preloaded into each measured build (node --import): on exit, writes the process's own peak
// resident memory and CPU time to $BENCH_RESOURCE_FILE. Measured by the kernel (getrusage), so
// it is the real peak, not a sample.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RESOURCE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ maxRssKb: usage.maxRSS, userCpuUs: usage.userCPUTime, systemCpuUs: usage.systemCPUTime }),
    );
  });
}
