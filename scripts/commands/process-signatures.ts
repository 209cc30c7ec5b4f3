/**
 * The signature processor (`npm run process-signatures`, run by .github/workflows/signatures.yml):
 * reads the environment Actions provides, runs one sweep (scripts/github/processor.ts) with the
 * ledger of answered issues (scripts/github/ledger.ts), and prints the summary
 * (scripts/github/summary.ts) to the log, the job summary and the step's outputs.
 *
 * Nothing a signer wrote is logged: logs name issues by number and problems by code, and nothing
 * printed can be a workflow command.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inertLogText } from '../core/text.ts';
import { createClient } from '../github/client.ts';
import { processorFingerprint, readLedger, writeLedger } from '../github/ledger.ts';
import { processSignatures } from '../github/processor.ts';
import { summaryLogLines, summaryMarkdown } from '../github/summary.ts';
import { gitStore, gitTokenEnv, runGit } from '../store/signature-store.ts';

/** CLI: reads the environment Actions provides and runs one sweep. */
async function main(): Promise<void> {
  const env = process.env;
  // Nothing this process prints can be a workflow command, whatever slips through: GitHub ignores
  // "::" lines until the same random token ends the pause.
  const pauseToken = randomBytes(16).toString('hex');
  if (env.GITHUB_ACTIONS === 'true') process.stdout.write(`::stop-commands::${pauseToken}\n`);
  const print = (message: string) => process.stdout.write(`${inertLogText(message, 2000)}\n`);
  try {
    const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'].filter((name) => !env[name]);
    if (missing.length > 0)
      throw new Error(
        `Missing environment variable(s): ${missing.join(', ')}. In GitHub Actions pass GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}.`,
      );
    let requests = 0;
    const octokit = createClient({
      token: env.GITHUB_TOKEN,
      baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
      log: print,
      onRequest: () => (requests += 1),
    });
    const event = env.GITHUB_EVENT_PATH ? JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) : undefined;
    const ledgerFile = env.PETITION_LEDGER;
    // What the ledger is keyed by; a checkout missing some of it gets a fingerprint no ledger has.
    const rules = await processorFingerprint(process.cwd()).catch(() => `unknown ${Date.now()}`);
    const output = async (line: string) => {
      if (env.GITHUB_OUTPUT) await appendFile(env.GITHUB_OUTPUT, `${line}\n`);
    };
    const summary = await processSignatures(
      {
        octokit,
        repository: env.GITHUB_REPOSITORY!,
        branch: env.PETITION_BRANCH || env.GITHUB_REF_NAME || 'main',
        checkoutDir: process.cwd(),
        event,
        log: print,
        // The commit checked out: the plan is decided against it, and again if the branch moved.
        baseCommit: await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { repository: process.cwd() }).then(
          (out) => out.toString('utf8').trim(),
          () => undefined,
        ),
        answered: await readLedger(ledgerFile, rules, (message) => print(`Warning: ${message}`)),
        // The workflow's sparse, blobless checkout has no signatures/ folder: read them from git.
        signatures:
          env.PETITION_SIGNATURES === 'git'
            ? gitStore({ repository: process.cwd(), env: gitTokenEnv(env.GITHUB_TOKEN!) })
            : undefined,
        // Said at once: if answering fails or the job dies, the workflow still publishes the commit.
        onCommitted: () => output('publish=true'),
      },
      () => requests,
    );
    if (ledgerFile) await writeLedger(ledgerFile, rules, summary.answered);
    for (const line of summaryLogLines(summary)) print(line);
    if (env.GITHUB_STEP_SUMMARY)
      await appendFile(env.GITHUB_STEP_SUMMARY, summaryMarkdown(summary, env.GITHUB_REPOSITORY!));
    await output(`committed=${summary.committed}`);
    if (summary.publish && !summary.committed) await output('publish=true');
    if (summary.refusal) {
      print(`The signature processor stopped: ${summary.refusal}`);
      process.exitCode = 1;
    } else if (summary.failures.length > 0) process.exitCode = 1;
  } finally {
    if (env.GITHUB_ACTIONS === 'true') process.stdout.write(`::${pauseToken}::\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    process.stderr.write(`The signature processor stopped: ${inertLogText(error.message, 2000)}\n`);
    process.exit(1);
  });
}
