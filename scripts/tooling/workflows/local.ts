/**
 * npm run workflows:local — runs the workflow scenarios (test/workflows/run-workflows.test.ts,
 * security-scenarios.test.ts, security-scenarios-published.test.ts), the stand-in comparison and
 * the runner's own tests with vitest and prints one line each: PASS, FAIL or SKIP, and the
 * scenario. Exits non-zero when one fails. Details: vitest's output,
 * kept in a file named at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FILES = [
  'test/workflows/run-workflows.test.ts',
  'test/workflows/security-scenarios.test.ts',
  'test/workflows/security-scenarios-published.test.ts',
  'test/workflows/stand-ins.test.ts',
  'test/workflows/runner.test.ts',
];

/** vitest's JSON report, the part read here. */
interface Report {
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}

/** One line a scenario, from vitest's JSON report. */
export function scenarioLines(report: Report): string[] {
  return report.testResults.flatMap((file) =>
    file.assertionResults.map((test) => {
      const status = test.status === 'passed' ? 'PASS' : test.status === 'failed' ? 'FAIL' : 'SKIP';
      return `${status} ${test.title}`;
    }),
  );
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'workflows-local-report-'));
const reportFile = path.join(dir, 'report.json');
const logFile = path.join(os.tmpdir(), `workflows-local-${Date.now()}.log`);
const vitest = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', ...FILES, '--reporter=json', `--outputFile=${reportFile}`],
  { encoding: 'utf8', maxBuffer: 1 << 28 },
);
writeFileSync(logFile, `${vitest.stdout ?? ''}${vitest.stderr ?? ''}`);
let lines: string[] = [];
try {
  lines = scenarioLines(JSON.parse(readFileSync(reportFile, 'utf8')) as Report);
} catch {
  lines = ['FAIL vitest gave no report'];
}
rmSync(dir, { recursive: true, force: true });
for (const line of lines) process.stdout.write(`${line}\n`);
process.stdout.write(`(vitest's output: ${logFile})\n`);
if (vitest.status !== 0 || lines.some((line) => line.startsWith('FAIL'))) process.exitCode = 1;
