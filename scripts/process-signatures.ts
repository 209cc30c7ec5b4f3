/**
 * The signature processor (`npm run process-signatures`, run by .github/workflows/signatures.yml).
 * Sweeps every open signature and withdrawal issue, decides (scripts/core/decide.ts), commits all
 * file changes in ONE commit, and only then answers and closes the issues.
 *
 * Crash safety: nothing is closed before its signature is committed; a re-run re-derives the same
 * files (an unchanged tree makes no commit) and finishes answering. Rejected issues stay open,
 * labelled "rejected": the sweep re-reads them for free (they are in the listing anyway) and
 * accepts them as soon as their author has fixed them, even if the run for the edit was
 * cancelled by the concurrency group.
 */
import { appendFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { renderBotComment, type CommentContext } from './core/bot-comment.ts';
import {
  commitMessage,
  decide,
  LABEL_DEFINITIONS,
  LABELS,
  type IssueAction,
  type IssueKind,
  type IssueSnapshot,
  type Plan,
} from './core/decide.ts';
import { ISSUE_CHOOSER_CONFIG_PATH, issueChooserConfigFor } from './core/issue-chooser.ts';
import { formFieldsFromTemplate } from './core/issue-form.ts';
import { BOT_COMMENT_MARKER } from './core/messages.ts';
import { resolveSettings, siteBaseUrl, type Settings } from './core/settings.ts';
import { signatureRelativePath } from './core/signature-file.ts';
import { signatureEntryPath } from './core/signature-list.ts';
import { letterDigest } from './core/tally.ts';
import { escapeHtml } from './core/text.ts';
import { createClient, type ProcessorOctokit } from './github/client.ts';
import { commitChanges } from './github/commit.ts';

export interface ProcessOptions {
  octokit: ProcessorOctokit;
  /** "owner/name". */
  repository: string;
  branch: string;
  /** The repository's working tree (the Action's checkout): settings, templates, letter, signatures. */
  checkoutDir: string;
  now?: () => Date;
  log?: (message: string) => void;
  /** The triggering webhook event, if any (GITHUB_EVENT_PATH). */
  event?: { action?: string; issue?: { number?: number } };
  /** For tests: wait between commit retries. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RunSummary {
  commitSha?: string;
  committed: boolean;
  counts: Record<IssueAction['outcome'], number>;
  actions: Array<{ issue: number; outcome: IssueAction['outcome']; problems: string[] }>;
  failures: Array<{ issue: number; error: string }>;
  requests: number;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Counts signature files in the checkout: the base for each new signer's place in the list. */
async function countSignatureFiles(directory: string): Promise<number> {
  try {
    const entries = (await readdir(directory, { recursive: true })) as string[];
    return entries.filter((entry) => entry.endsWith('.md') && entry !== 'README.md').length;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Runs one sweep. `requestCount` reads the client's request counter (see createClient's onRequest). */
export async function processSignatures(
  options: ProcessOptions,
  requestCount: () => number = () => 0,
): Promise<RunSummary> {
  const log = options.log ?? console.log;
  const now = options.now ?? (() => new Date());
  const [owner, repo] = options.repository.split('/') as [string, string];
  if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY must be "owner/name", not "${options.repository}".`);
  const { octokit } = options;

  const settingsText = await readIfExists(path.join(options.checkoutDir, 'content/settings.json'));
  if (!settingsText)
    throw new Error(
      `No content/settings.json in ${options.checkoutDir}: run the processor from the repository's checkout.`,
    );
  const settings: Settings = resolveSettings(JSON.parse(settingsText));
  const template = async (name: string) => {
    const text = await readIfExists(path.join(options.checkoutDir, '.github/ISSUE_TEMPLATE', name));
    if (!text) throw new Error(`Missing .github/ISSUE_TEMPLATE/${name}.`);
    return formFieldsFromTemplate(YAML.parse(text));
  };
  const signFields = await template('sign.yml');
  const withdrawFields = await template('withdraw.yml');
  const letterText = await readIfExists(path.join(options.checkoutDir, 'content/letter.md'));
  const signaturesDir = path.join(options.checkoutDir, 'signatures');

  await ensureLabels(octokit, owner, repo, log);

  const list = async (label: string, kind: IssueKind): Promise<IssueSnapshot[]> => {
    const issues = await octokit.paginate(octokit.rest.issues.listForRepo, {
      owner,
      repo,
      state: 'open',
      labels: label,
      per_page: 100,
      sort: 'created',
      direction: 'asc',
    });
    return issues
      .filter((issue) => !issue.pull_request && issue.user)
      .map((issue) => ({
        number: issue.number,
        kind,
        body: issue.body ?? '',
        labels: issue.labels.map((labelItem) => (typeof labelItem === 'string' ? labelItem : (labelItem.name ?? ''))),
        author: { login: issue.user!.login, id: issue.user!.id },
        created_at: issue.created_at,
        comments: issue.comments,
      }));
  };
  const signatureIssues = await list(LABELS.signature, 'signature');
  const withdrawalIssues = (await list(LABELS.withdrawal, 'withdrawal')).filter(
    (issue) => !signatureIssues.some((other) => other.number === issue.number),
  );

  const existing = new Map<number, string | undefined>();
  for (const issue of [...signatureIssues, ...withdrawalIssues]) {
    const id = issue.author.id;
    if (!existing.has(id)) {
      existing.set(id, await readIfExists(path.join(signaturesDir, signatureRelativePath(id))));
    }
  }
  const recheck = new Set<number>();
  if ((options.event?.action === 'edited' || options.event?.action === 'reopened') && options.event.issue?.number)
    recheck.add(options.event.issue.number);

  const plan: Plan = decide({
    issues: [...signatureIssues, ...withdrawalIssues],
    signFields,
    withdrawFields,
    existingFile: (userId) => existing.get(userId),
    settings,
    now: now(),
    letterSha256: letterText ? letterDigest(letterText) : '',
    recheck,
  });

  // A fork's first run points the issue chooser's link at its own site (see issue-chooser.ts).
  const chooserText = await readIfExists(path.join(options.checkoutDir, ISSUE_CHOOSER_CONFIG_PATH));
  const chooserUpdate = chooserText ? issueChooserConfigFor(chooserText, siteBaseUrl(settings)) : undefined;
  if (chooserUpdate) plan.changes.set(ISSUE_CHOOSER_CONFIG_PATH, chooserUpdate);
  if (settings.repository !== options.repository)
    log(
      `Warning: content/settings.json names the repository "${settings.repository}", but this runs in "${options.repository}". Receipts and the sign form link to the settings' repository and site; edit "repository", "site_url" and "path_prefix" there.`,
    );

  let commitSha: string | undefined;
  if (plan.changes.size > 0) {
    const result = await commitChanges(octokit, {
      owner,
      repo,
      branch: options.branch,
      changes: plan.changes,
      message: commitMessage(plan, chooserUpdate ? [`Point the issue chooser's link at ${siteBaseUrl(settings)}`] : []),
      log,
      sleep: options.sleep,
      pathExists: async (filePath, ref) => {
        try {
          await octokit.rest.repos.getContent({ owner, repo, path: filePath, ref });
          return true;
        } catch (error) {
          if ((error as { status?: number }).status === 404) return false;
          throw error;
        }
      },
    });
    commitSha = result.sha;
    log(
      commitSha
        ? `Committed ${plan.changes.size} change(s) as ${commitSha}.`
        : 'The branch already had these changes; no new commit.',
    );
  }

  // Each new signer's place in the list, for the receipt's link (exact unless withdrawals
  // land between this run and the next build).
  let rank =
    (await countSignatureFiles(signaturesDir)) -
    plan.actions.filter((action) => action.outcome === 'updated' || action.outcome === 'withdrawn').length;
  const ranks = new Map<number, number>();
  for (const action of [...plan.actions]
    .filter((a) => a.outcome === 'signed' || a.outcome === 'updated')
    .sort((a, b) => (a.record!.signed_at < b.record!.signed_at ? -1 : 1))) {
    rank += 1;
    ranks.set(action.issue.number, rank);
  }

  const failures: RunSummary['failures'] = [];
  for (const action of plan.actions) {
    if (action.outcome === 'still-rejected') continue;
    try {
      let sha = commitSha;
      if (!sha && ['signed', 'updated', 'recorded', 'withdrawn'].includes(action.outcome) && action.comment) {
        // Recovery after a crash: an earlier run committed this change (the tree was unchanged).
        const { data } = await octokit.rest.repos.listCommits({
          owner,
          repo,
          sha: options.branch,
          path: action.path,
          per_page: 1,
        });
        sha = data[0]?.sha;
      }
      const rankOfSigner = ranks.get(action.issue.number);
      const context: CommentContext = {
        repository: options.repository,
        commitSha: sha,
        entryUrl: rankOfSigner
          ? `${siteBaseUrl(settings)}${signatureEntryPath(rankOfSigner, action.issue.author.id, settings.signatures_per_page)}`
          : `${siteBaseUrl(settings)}signatures/`,
        siteUrl: siteBaseUrl(settings),
        closingDate: settings.closing_date,
      };
      if (action.comment) await upsertBotComment(octokit, owner, repo, action.issue, renderBotComment(action, context));
      const labelsChanged =
        action.labels.length !== action.issue.labels.length ||
        action.labels.some((label) => !action.issue.labels.includes(label));
      if (action.close || labelsChanged) {
        await octokit.rest.issues.update({
          owner,
          repo,
          issue_number: action.issue.number,
          labels: action.labels,
          ...(action.close ? { state: 'closed' as const, state_reason: action.stateReason ?? 'completed' } : {}),
        });
      }
    } catch (error) {
      failures.push({ issue: action.issue.number, error: (error as Error).message });
      log(`Could not finish issue #${action.issue.number}: ${(error as Error).message}. The next run will retry it.`);
    }
  }

  const counts = Object.fromEntries(
    [
      'signed',
      'updated',
      'recorded',
      'superseded',
      'withdrawn',
      'not-signed',
      'rejected',
      'still-rejected',
      'petition-closed',
    ].map((outcome) => [outcome, 0]),
  ) as RunSummary['counts'];
  for (const action of plan.actions) counts[action.outcome] += 1;
  return {
    commitSha,
    committed: Boolean(commitSha),
    counts,
    actions: plan.actions.map((action) => ({
      issue: action.issue.number,
      outcome: action.outcome,
      problems: action.problems,
    })),
    failures,
    requests: requestCount(),
  };
}

/** Creates any of our labels the repository lacks: a fork needs no manual setup. */
async function ensureLabels(
  octokit: ProcessorOctokit,
  owner: string,
  repo: string,
  log: (message: string) => void,
): Promise<void> {
  const present = new Set(
    (await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { owner, repo, per_page: 100 })).map(
      (label) => label.name,
    ),
  );
  for (const [name, definition] of Object.entries(LABEL_DEFINITIONS)) {
    if (present.has(name)) continue;
    try {
      await octokit.rest.issues.createLabel({ owner, repo, name, ...definition });
      log(`Created the label "${name}".`);
    } catch (error) {
      if ((error as { status?: number }).status !== 422) throw error; // 422: created meanwhile
    }
  }
}

/** Updates the bot's comment in place, or creates it; looks for it only if the issue has comments. */
async function upsertBotComment(
  octokit: ProcessorOctokit,
  owner: string,
  repo: string,
  issue: IssueSnapshot,
  body: string,
): Promise<void> {
  if (issue.comments > 0) {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: issue.number,
      per_page: 100,
    });
    const mine = comments.find((comment) => comment.body?.startsWith(BOT_COMMENT_MARKER));
    if (mine) {
      if (mine.body !== body) await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      return;
    }
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: issue.number, body });
}

/** The run summary as Markdown for the Action's job summary. Issue text is escaped. */
export function summaryMarkdown(summary: RunSummary, repository: string): string {
  const rows = summary.actions
    .filter((action) => action.outcome !== 'still-rejected')
    .map(
      (action) =>
        `| [#${action.issue}](https://github.com/${repository}/issues/${action.issue}) | ${action.outcome} | ${action.problems.map((problem) => escapeHtml(problem).replace(/\|/g, '\\|')).join('<br>')} |`,
    );
  const c = summary.counts;
  return [
    '## Signature processor',
    '',
    `Accepted ${c.signed}, updated ${c.updated}, already recorded ${c.recorded}, withdrawn ${c.withdrawn}, rejected ${c.rejected + c['petition-closed']} (${c['still-rejected']} still waiting for a fix), superseded ${c.superseded}, nothing to withdraw ${c['not-signed']}.`,
    '',
    summary.commitSha
      ? `Commit: https://github.com/${repository}/commit/${summary.commitSha}`
      : 'No commit in this run.',
    `API requests: ${summary.requests}.`,
    summary.failures.length
      ? `\n**Failures (retried next run):** ${summary.failures.map((failure) => `#${failure.issue}: ${escapeHtml(failure.error)}`).join('; ')}`
      : '',
    '',
    rows.length ? '| Issue | Outcome | Reasons |\n| --- | --- | --- |\n' + rows.join('\n') : '',
    '',
  ].join('\n');
}

/** CLI: reads the environment Actions provides and runs one sweep. */
async function main(): Promise<void> {
  const env = process.env;
  const missing = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY'].filter((name) => !env[name]);
  if (missing.length > 0)
    throw new Error(
      `Missing environment variable(s): ${missing.join(', ')}. In GitHub Actions pass GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}.`,
    );
  let requests = 0;
  const octokit = createClient({
    token: env.GITHUB_TOKEN,
    baseUrl: env.GITHUB_API_URL || 'https://api.github.com',
    log: console.warn,
    onRequest: () => (requests += 1),
  });
  const event = env.GITHUB_EVENT_PATH ? JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) : undefined;
  const summary = await processSignatures(
    {
      octokit,
      repository: env.GITHUB_REPOSITORY!,
      branch: env.PETITION_BRANCH || env.GITHUB_REF_NAME || 'main',
      checkoutDir: process.cwd(),
      event,
    },
    () => requests,
  );
  const markdown = summaryMarkdown(summary, env.GITHUB_REPOSITORY!);
  console.log(markdown);
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, markdown);
  if (env.GITHUB_OUTPUT) await appendFile(env.GITHUB_OUTPUT, `committed=${summary.committed}\n`);
  if (summary.failures.length > 0) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: Error) => {
    console.error(`The signature processor stopped: ${error.message}`);
    process.exit(1);
  });
}
