/**
 * `npm run try-locally`: the whole signing loop on a maintainer's machine, with no GitHub token.
 * Copies the project's content, issue forms and signatures to a temporary folder, starts the
 * fake GitHub the tests use, opens sample issues there as GitHub would render them, runs the
 * real processor against it, writes the committed files into the copy, and builds the site
 * from the copy. `-- --serve` serves the result under the site's path prefix, as GitHub Pages
 * would (http://localhost:8080/amur-leopard/ with the default settings).
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { DEFAULT_SAMPLE_REASONS } from '../core/sample-signatures.ts';
import { readSampleReasons } from '../store/samples.ts';
import { startFakeGitHub } from './fake-github/server.ts';
import { formFieldsFromTemplate, renderIssueForm } from '../core/issue-form.ts';
import { createClient } from '../github/client.ts';
import { processSignatures, type RunSummary } from '../github/processor.ts';
import { loadSignatures } from '../store/load-signatures.ts';
import { renderSignatureFile, signatureRelativePath } from '../core/signature-file.ts';
import { isOffline } from '../core/offline-signature.ts';
import { eleventyArguments } from './eleventy-command.ts';
import { superviseChild } from './run-child.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const serve = process.argv.includes('--serve');
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-try-'));
for (const part of ['content', '.github', 'signatures'])
  await cp(path.join(projectRoot, part), path.join(work, part), { recursive: true });

const settings = JSON.parse(await readFile(path.join(work, 'content/settings.json'), 'utf8')) as {
  repository: string;
  path_prefix: string;
};
const [owner, repo] = settings.repository.split('/') as [string, string];
const signFields = formFieldsFromTemplate(
  YAML.parse(await readFile(path.join(work, '.github/ISSUE_TEMPLATE/sign.yml'), 'utf8')),
);
const withdrawFields = formFieldsFromTemplate(
  YAML.parse(await readFile(path.join(work, '.github/ISSUE_TEMPLATE/withdraw.yml'), 'utf8')),
);
const sign = (name: string, country: string, reason = '', consent = true) =>
  renderIssueForm(signFields, { name, country, reason, consent: [consent] });

// Reasons from the petition's content/samples.yml, so the samples speak of its own cause.
const reasons = (await readSampleReasons(work)) ?? DEFAULT_SAMPLE_REASONS;
const samples = [
  {
    user: { login: 'apetrova', id: 1234567 },
    body: sign('Анна Петрова', 'Россия', reasons[0]),
  },
  { user: { login: 'wangwei', id: 2345678 }, body: sign('王伟', '中国') },
  { user: { login: 'lena-k', id: 3456789 }, body: sign('Lena Köhler', 'Deutschland', reasons[1 % reasons.length]) },
  { user: { login: 'fatima-a', id: 4567890 }, body: sign('فاطمة', 'EG') },
  { user: { login: 'typo-tom', id: 5678901 }, body: sign('Tom', 'Atlantis', '', false) },
];
// One signer more through each other language's form (sign-<code>.yml), answered in that language.
const otherForms = (await readdir(path.join(work, '.github/ISSUE_TEMPLATE')))
  .filter((file) => /^sign-[A-Za-z0-9-]+\.yml$/.test(file))
  .sort();
for (const [index, file] of otherForms.entries()) {
  const fields = formFieldsFromTemplate(
    YAML.parse(await readFile(path.join(work, '.github/ISSUE_TEMPLATE', file), 'utf8')),
  );
  const id = 6789012 + index;
  samples.push({
    user: { login: `signer-${file.slice(5, -4).toLowerCase()}`, id },
    body: renderIssueForm(fields, {
      name: `Sample Signer ${index + 1}`,
      country: 'DE',
      reason: reasons[(index + 2) % reasons.length]!,
      consent: [true],
    }),
  });
}
// The fake's branch starts with the signatures already in the repository.
const existing: Record<string, string> = {};
const { records } = await loadSignatures(path.join(work, 'signatures'));
for (const record of records)
  if (!isOffline(record)) existing[`signatures/${signatureRelativePath(record.user_id)}`] = renderSignatureFile(record);

const fake = await startFakeGitHub({
  owner,
  repo,
  files: existing,
  issues: samples.map((sample, index) => ({
    body: sample.body,
    labels: ['signature'],
    user: sample.user,
    title: 'Signature',
    created_at: new Date(Date.UTC(2026, 10, 24, 9, index)).toISOString().replace('.000Z', 'Z'),
  })),
});

console.log(
  `Fake GitHub for ${owner}/${repo} at ${fake.baseUrl}, with ${samples.length} sample issues. Working copy: ${work}`,
);
let requests = 0;
const octokit = createClient({
  baseUrl: fake.baseUrl,
  writeIntervalMs: 0,
  retryTimeUnitMs: 10,
  log: console.warn,
  onRequest: () => (requests += 1),
});
const run = async (title: string) => {
  requests = 0;
  console.log(`\n=== ${title}`);
  const summary = await processSignatures(
    { octokit, repository: settings.repository, branch: 'main', checkoutDir: work, log: console.log },
    () => requests,
  );
  console.log(summaryText(summary));
  // What actions/checkout would see on the next run: the branch head's signature files.
  await rm(path.join(work, 'signatures'), { recursive: true, force: true });
  for (const [file, content] of Object.entries(fake.files())) {
    if (!file.startsWith('signatures/')) continue;
    await mkdir(path.dirname(path.join(work, file)), { recursive: true });
    await writeFile(path.join(work, file), content);
  }
};
await run(
  `Run 1: ${samples.length} people sign (${otherForms.length ? `${otherForms.length} through another language's form, ` : ''}one made mistakes)`,
);
fake.addIssue({
  body: renderIssueForm(withdrawFields, { confirm: [true] }),
  labels: ['withdrawal'],
  user: { login: 'wangwei', id: 2345678 },
  title: 'Withdraw my signature',
});
fake.editIssue(5, sign('Tom', 'Greece', '', true));
await run('Run 2: one signer withdraws; the one with mistakes edited the issue');

for (const issue of fake.issues()) {
  const bot = issue.comments.at(-1)?.body.split('\n').slice(1, 3).join(' ') ?? '(no comment)';
  console.log(`#${issue.number} ${issue.state.padEnd(6)} [${issue.labels.join(', ')}] ${bot}`);
}
await fake.close();

const output = path.join(work, '_site');
const args = eleventyArguments({ output, serve });
const build = spawn(process.execPath, args, {
  cwd: projectRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    SIGNATURES_DIR: path.join(work, 'signatures'),
    PETITION_SETTINGS: path.join(work, 'content/settings.json'),
  },
});
if (serve) {
  const prefix = process.env.PATH_PREFIX || settings.path_prefix;
  console.log(
    `\nServing the copy at http://localhost:${Number(process.env.PORT) || 8080}${prefix} (Eleventy names another port below if that one is taken).`,
  );
  superviseChild(build);
} else {
  build.on('exit', async (code) => {
    if (code === 0) {
      const tally = JSON.parse(await readFile(path.join(output, 'data/tally.json'), 'utf8')) as {
        signature_count: number;
        country_count: number;
      };
      console.log(
        `\nThe site now counts ${plural(tally.signature_count, 'signature', 'signatures')} from ${plural(tally.country_count, 'country', 'countries')}. Built into ${output} (add -- --serve to browse it).`,
      );
    }
    process.exit(code ?? 1);
  });
}

/**
 * The run's summary for a terminal: plain text. (The processor's own summary is Markdown for
 * GitHub's job summary, where HTML escaping belongs; printed here it showed `&quot;`.)
 */
function summaryText(summary: RunSummary): string {
  const c = summary.counts;
  const lines = [
    `Accepted ${c.signed}, updated ${c.updated}, already recorded ${c.recorded}, withdrawn ${c.withdrawn}, ` +
      `rejected ${c.rejected + c['petition-closed']} (${c['still-rejected']} still waiting for a fix), ` +
      `superseded ${c.superseded}, nothing to withdraw ${c['not-signed']}.`,
    summary.commitSha ? `Commit: ${summary.commitSha}` : 'No commit in this run.',
    `API requests: ${summary.requests}.`,
  ];
  for (const failure of summary.failures) lines.push(`Failed (retried next run): #${failure.issue}: ${failure.error}`);
  for (const action of summary.actions.filter((action) => action.outcome !== 'still-rejected')) {
    lines.push(`#${action.issue} ${action.outcome}`);
    for (const problem of action.problems) lines.push(`    - ${problem}`);
  }
  return lines.join('\n');
}

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}
