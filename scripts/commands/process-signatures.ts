/**
 * The signature processor (`npm run process-signatures`, run by .github/workflows/signatures.yml).
 * One sweep of every open signature and withdrawal issue, in five stages:
 *
 *   list (GitHub) → read (checkout, a few histories) → decide (pure, scripts/core/decide.ts)
 *   → commit (ONE commit for every file change) → answer (comments, labels, closing)
 *
 * Crash safety: nothing is closed before its signature is committed; a re-run re-derives the same
 * files (an unchanged tree makes no commit), finds the earlier commit and finishes answering, and
 * tells the workflow to publish it. Rejected issues stay open, labelled "rejected"; the ledger of
 * answered issues (updated_at when last answered) lets later sweeps skip them until they change.
 *
 * Nothing a signer wrote is logged: logs name issues by number and problems by code.
 */
import { appendFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { renderBotComment, type CommentContext } from '../core/bot-comment.ts';
import { BLOCKED_ACCOUNTS_PATH, parseBlockedAccounts } from '../core/moderation.ts';
import {
  commitMessage,
  decide,
  LABELS,
  needsHistory,
  OUTCOMES,
  type BlockedAccount,
  type FileHistory,
  type IssueAction,
  type IssueSnapshot,
  type LanguageForms,
  type Plan,
} from '../core/decide.ts';
import { ISSUE_CHOOSER_CONFIG_PATH, issueChooserConfigFor } from '../core/issue-chooser.ts';
import type { Catalog } from '../core/i18n.ts';
import { formFieldsFromTemplate } from '../core/issue-form.ts';
import { templateFileName, type FormKind } from '../core/issue-templates.ts';
import { problemMessage, type ProblemCode } from '../core/messages.ts';
import { resolveSettings, siteBaseUrl, type Settings } from '../core/settings.ts';
import { signatureRelativePath, userIdFromRelativePath } from '../core/signature-file.ts';
import { signatureReceiptPath } from '../core/signature-list.ts';
import { letterDigest } from '../core/tally.ts';
import { inertLogText, inertMarkdown } from '../core/text.ts';
import { redactReceipt, ensureLabels, updateIssue, upsertBotComment } from '../github/answer.ts';
import { createClient, type ProcessorOctokit } from '../github/client.ts';
import { commitChanges, RefUpdateRefusedError, type CommitRequest } from '../github/commit.ts';
import { fileHistory, listSweep, type RepositoryRef } from '../github/issues.ts';
import { readCatalogs } from '../store/catalogs.ts';
import { rulesFingerprint } from '../store/load-signatures-git.ts';
import { folderStore, gitStore, gitTokenEnv, runGit, type SignatureStore } from '../store/signature-store.ts';

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
  /** The ledger a previous run left: issue number → updated_at when it was last answered. */
  answered?: ReadonlyMap<number, string>;
  /** Called as soon as the commit is on the branch, before any answer (so a crash still publishes). */
  onCommitted?: (sha: string) => void | Promise<void>;
  /** Where existing signatures are read (default: the checkout's signatures/ folder). */
  signatures?: SignatureStore;
  /**
   * The commit the checkout (and the signature store) shows: when the branch head is another by
   * the time of the commit, the plan is decided again against the head (see commitChanges' replan).
   */
  baseCommit?: string;
  /** For tests: wait between commit retries. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RunSummary {
  commitSha?: string;
  committed: boolean;
  /** Whether the site should be rebuilt: this run committed, or finished answering a commit an earlier run made. */
  publish: boolean;
  counts: Record<IssueAction['outcome'], number>;
  actions: Array<{ issue: number; outcome: IssueAction['outcome']; problems: ProblemCode[]; messages: string[] }>;
  failures: Array<{ issue: number; error: string }>;
  /** Set when GitHub refused the commit for good: what the maintainer must change. */
  refusal?: string;
  /** The ledger for the next run. */
  answered: Record<string, string>;
  requests: number;
}

/** What the processor reads from the checkout: settings, the forms, the letter, moderation. */
interface CheckoutState {
  settings: Settings;
  /** Every language's forms, the default language first. */
  forms: LanguageForms[];
  /** Every language's strings, by language code. */
  catalogs: Map<string, Catalog>;
  letterSha256: string;
  letterSha256ByLanguage: Map<string, string>;
  blocked: Map<number, BlockedAccount>;
  chooserText?: string;
  signaturesDir: string;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function repositoryRef(repository: string): RepositoryRef {
  const [owner, repo, extra] = repository.split('/');
  if (!owner || !repo || extra !== undefined)
    throw new Error(`GITHUB_REPOSITORY must be "owner/name", not "${repository}".`);
  return { owner, repo };
}

/** Read stage, part 1: everything the checkout holds. Configuration errors throw. */
async function readCheckout(checkoutDir: string): Promise<CheckoutState> {
  const settingsText = await readIfExists(path.join(checkoutDir, 'content/settings.json'));
  if (!settingsText)
    throw new Error(`No content/settings.json in ${checkoutDir}: run the processor from the repository's checkout.`);
  const settings = resolveSettings(JSON.parse(settingsText));
  const catalogs = await readCatalogs(checkoutDir, settings.language);
  const template = async (kind: FormKind, language: string) => {
    const name = templateFileName(kind, language, settings.language);
    const text = await readIfExists(path.join(checkoutDir, '.github/ISSUE_TEMPLATE', name));
    if (!text)
      throw new Error(
        `Missing .github/ISSUE_TEMPLATE/${name} for content/i18n/${language}.yml: run npm run issue-forms.`,
      );
    return formFieldsFromTemplate(YAML.parse(text));
  };
  const forms: LanguageForms[] = [];
  for (const catalog of catalogs)
    forms.push({
      language: catalog.language,
      sign: await template('sign', catalog.language),
      withdraw: await template('withdraw', catalog.language),
    });
  const letterText = await readIfExists(path.join(checkoutDir, 'content/letter.md'));
  // A translation of the letter lives in content/<language>/letter.md; a signer who used that
  // language's form saw it, and the signature records its digest.
  const letterSha256ByLanguage = new Map<string, string>();
  for (const catalog of catalogs.slice(1)) {
    const translation = await readIfExists(path.join(checkoutDir, 'content', catalog.language, 'letter.md'));
    if (translation) letterSha256ByLanguage.set(catalog.language, letterDigest(translation));
  }
  const blockedText = await readIfExists(path.join(checkoutDir, BLOCKED_ACCOUNTS_PATH));
  return {
    settings,
    forms,
    catalogs: new Map(catalogs.map((catalog) => [catalog.language, catalog])),
    letterSha256: letterText ? letterDigest(letterText) : '',
    letterSha256ByLanguage,
    blocked: blockedText ? parseBlockedAccounts(blockedText) : new Map(),
    chooserText: await readIfExists(path.join(checkoutDir, ISSUE_CHOOSER_CONFIG_PATH)),
    signaturesDir: path.join(checkoutDir, 'signatures'),
  };
}

/**
 * Read stage, part 2: each issue author's current file, and for the few issues that need it
 * (see needsHistory) the latest commit on that file.
 */
async function readSigners(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  branch: string,
  store: SignatureStore,
  issues: readonly IssueSnapshot[],
): Promise<{ files: Map<number, string | undefined>; histories: Map<number, FileHistory | undefined> }> {
  const ids = [...new Set(issues.map((issue) => issue.author.id))].filter((id) => Number.isSafeInteger(id) && id > 0);
  const files = await store.readMany(ids);
  const histories = new Map<number, FileHistory | undefined>();
  for (const issue of issues) {
    const id = issue.author.id;
    if (files.has(id) && !histories.has(id) && needsHistory(issue, files.get(id) !== undefined))
      histories.set(id, await fileHistory(octokit, repository, branch, `signatures/${signatureRelativePath(id)}`, id));
  }
  return { files, histories };
}

/** Commit stage: one commit, or the reason GitHub refused it for good. */
async function commitStage(
  options: ProcessOptions,
  repository: RepositoryRef,
  plan: Plan,
  message: string,
  log: (message: string) => void,
  replan: NonNullable<CommitRequest['replan']>,
): Promise<{ sha?: string; refusal?: string }> {
  if (plan.changes.size === 0) return {};
  const { octokit } = options;
  try {
    const result = await commitChanges(octokit, {
      ...repository,
      branch: options.branch,
      changes: plan.changes,
      message,
      log,
      sleep: options.sleep,
      base: options.baseCommit,
      replan,
      pathExists: async (filePath, ref) => {
        try {
          await octokit.rest.repos.getContent({ ...repository, path: filePath, ref });
          return true;
        } catch (error) {
          if ((error as { status?: number }).status === 404) return false;
          throw error;
        }
      },
    });
    log(
      result.sha ? `Committed the change(s) as ${result.sha}.` : 'The branch already had these changes; no new commit.',
    );
    if (result.sha) await options.onCommitted?.(result.sha);
    return { sha: result.sha };
  } catch (error) {
    if (error instanceof RefUpdateRefusedError) {
      log(error.message);
      return { refusal: error.message };
    }
    throw error;
  }
}

/** A file's text at `ref` through the API, or undefined when it does not exist there. */
async function readAt(
  octokit: ProcessorOctokit,
  repository: RepositoryRef,
  filePath: string,
  ref: string,
): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repository, path: filePath, ref });
    if (Array.isArray(data) || data.type !== 'file' || typeof data.content !== 'string')
      throw new Error(`${filePath} at ${ref} is not a file`);
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

const RECORDING_OUTCOMES = new Set<IssueAction['outcome']>(['signed', 'updated', 'recorded', 'withdrawn']);

/**
 * Answer stage: one comment, labels and state per issue. Issues whose change is not committed
 * (GitHub refused the commit) are left open for the next run. Returns the ledger entries and
 * whether an earlier run's commit was finished here.
 */
async function answerStage(
  options: ProcessOptions,
  repository: RepositoryRef,
  plan: Plan,
  checkout: CheckoutState,
  commit: { sha?: string; refusal?: string },
  log: (message: string) => void,
): Promise<{ failures: RunSummary['failures']; answered: Record<string, string>; finishedEarlier: boolean }> {
  const { octokit } = options;
  const { settings } = checkout;
  const failures: RunSummary['failures'] = [];
  const answered: Record<string, string> = {};
  let finishedEarlier = false;

  for (const action of plan.actions) {
    const number = action.issue.number;
    if (action.outcome === 'still-rejected') {
      if (action.issue.updated_at) answered[number] = action.issue.updated_at;
      continue;
    }
    const needsCommit = plan.changes.has(action.path) && RECORDING_OUTCOMES.has(action.outcome);
    if (needsCommit && commit.refusal) {
      failures.push({ issue: number, error: 'not committed: GitHub refused the commit (see the log)' });
      continue;
    }
    try {
      let sha = needsCommit ? commit.sha : action.earlierCommit;
      if (!sha && RECORDING_OUTCOMES.has(action.outcome) && action.comment) {
        // Recovery after a crash: an earlier run committed this change (the tree was unchanged).
        const { data } = await octokit.rest.repos.listCommits({
          ...repository,
          sha: options.branch,
          path: action.path,
          per_page: 1,
        });
        sha = data[0]?.sha;
      }
      // This run finishes what an earlier one committed, whose deploy may never have run.
      if ((needsCommit && !commit.sha) || action.earlierCommit) finishedEarlier = true;
      if (action.outcome === 'recorded' && !action.issue.labels.includes(LABELS.signed)) finishedEarlier = true;
      const context: CommentContext = {
        repository: options.repository,
        commitSha: sha,
        // The receipt page of the signer's id: it finds their entry wherever later additions move it.
        entryUrl: `${siteBaseUrl(settings)}${signatureReceiptPath(action.issue.author.id)}`,
        siteUrl: siteBaseUrl(settings),
        closingDate: settings.closing_date,
        catalog: checkout.catalogs.get(action.language) ?? checkout.catalogs.get(settings.language)!,
        withdrawTemplate: templateFileName('withdraw', action.language, settings.language),
        languagePath: action.language === settings.language ? '' : `${action.language}/`,
      };
      const created = action.comment
        ? await upsertBotComment(octokit, repository, action.issue, renderBotComment(action, context))
        : false;
      if (action.outcome === 'withdrawn' && action.redactIssue)
        await redactReceipt(octokit, repository, action.redactIssue);
      const updatedAt = await updateIssue(
        octokit,
        repository,
        action.issue,
        { labels: action.labels, close: action.close ? { reason: action.stateReason ?? 'completed' } : undefined },
        created,
      );
      if (!action.close && updatedAt) answered[number] = updatedAt;
    } catch (error) {
      const status = (error as { status?: number }).status;
      failures.push({ issue: number, error: status ? `GitHub answered ${status}` : (error as Error).name });
      log(`Could not finish issue #${number} (${status ?? (error as Error).name}). The next run will retry it.`);
    }
  }
  return { failures, answered, finishedEarlier };
}

/** Runs one sweep. `requestCount` reads the client's request counter (see createClient's onRequest). */
export async function processSignatures(
  options: ProcessOptions,
  requestCount: () => number = () => 0,
): Promise<RunSummary> {
  const log = options.log ?? console.log;
  const now = options.now ?? (() => new Date());
  const repository = repositoryRef(options.repository);
  const { octokit } = options;

  const checkout = await readCheckout(options.checkoutDir);
  const { settings } = checkout;
  await ensureLabels(octokit, repository, log);

  const issues = await listSweep(octokit, repository);
  const store = options.signatures ?? folderStore(checkout.signaturesDir);
  const { files, histories } = await readSigners(octokit, repository, options.branch, store, issues);
  const recheck = new Set<number>();
  if ((options.event?.action === 'edited' || options.event?.action === 'reopened') && options.event.issue?.number)
    recheck.add(options.event.issue.number);

  // A fork's first run points the issue chooser's link at its own site (see issue-chooser.ts).
  const chooserUpdate = checkout.chooserText
    ? issueChooserConfigFor(checkout.chooserText, siteBaseUrl(settings))
    : undefined;
  const decideNow = (): Plan => {
    const decided = decide({
      issues,
      forms: checkout.forms,
      existingFile: (userId) => files.get(userId),
      history: (userId) => histories.get(userId),
      blocked: checkout.blocked,
      answered: options.answered,
      settings,
      now: now(),
      letterSha256: checkout.letterSha256,
      letterSha256ByLanguage: checkout.letterSha256ByLanguage,
      recheck,
    });
    if (chooserUpdate) decided.changes.set(ISSUE_CHOOSER_CONFIG_PATH, chooserUpdate);
    return decided;
  };
  const messageOf = (decided: Plan) =>
    commitMessage(decided, chooserUpdate ? [`Point the issue chooser's link at ${siteBaseUrl(settings)}`] : []);
  let plan = decideNow();
  if (settings.repository !== options.repository)
    log(
      `Warning: content/settings.json names the repository "${settings.repository}", but this runs in "${options.repository}". Receipts and the sign form link to the settings' repository and site; edit "repository", "site_url" and "path_prefix" there.`,
    );

  /**
   * The branch moved since the plan was made (a maintainer pushed a removal or a block during
   * the run): what the plan depends on that a push can change is read again at the new head —
   * the files of every signer it records or deletes, and the blocked accounts — and the plan is
   * decided again, so the commit never undoes that push. One request per such signer, and only
   * when the branch moved.
   */
  const replan = async (_decidedAt: string, head: string) => {
    const ids = new Set<number>();
    for (const action of plan.actions) if (RECORDING_OUTCOMES.has(action.outcome)) ids.add(action.issue.author.id);
    for (const file of plan.changes.keys()) {
      const id = file.startsWith('signatures/') ? userIdFromRelativePath(file.slice('signatures/'.length)) : undefined;
      if (id !== undefined) ids.add(id);
    }
    for (const id of ids)
      files.set(id, await readAt(octokit, repository, `signatures/${signatureRelativePath(id)}`, head));
    const blockedText = await readAt(octokit, repository, BLOCKED_ACCOUNTS_PATH, head);
    checkout.blocked = blockedText ? parseBlockedAccounts(blockedText) : new Map();
    for (const issue of issues) {
      const id = issue.author.id;
      if (ids.has(id) && needsHistory(issue, files.get(id) !== undefined))
        histories.set(
          id,
          await fileHistory(octokit, repository, options.branch, `signatures/${signatureRelativePath(id)}`, id),
        );
    }
    plan = decideNow();
    return { changes: plan.changes, message: messageOf(plan) };
  };
  const commit = await commitStage(options, repository, plan, messageOf(plan), log, replan);
  const { failures, answered, finishedEarlier } = await answerStage(options, repository, plan, checkout, commit, log);

  // The job summary is for maintainers: in the petition's own language.
  const summaryCatalog = checkout.catalogs.get(settings.language)!;
  const counts = Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as RunSummary['counts'];
  for (const action of plan.actions) counts[action.outcome] += 1;
  return {
    commitSha: commit.sha,
    committed: Boolean(commit.sha),
    publish: Boolean(commit.sha) || finishedEarlier,
    counts,
    actions: plan.actions.map((action) => ({
      issue: action.issue.number,
      outcome: action.outcome,
      problems: action.problems.map((problem) => problem.code),
      messages: action.problems.map((problem) =>
        problemMessage(problem, (text) => inertMarkdown(text, 60), summaryCatalog),
      ),
    })),
    failures,
    refusal: commit.refusal,
    answered,
    requests: requestCount(),
  };
}

/**
 * The run summary as Markdown for the Action's job summary. Problems are worded as the signer
 * read them, with their own text in inert code spans; table pipes are escaped.
 */
export function summaryMarkdown(summary: RunSummary, repository: string): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = summary.actions
    .filter((action) => action.outcome !== 'still-rejected')
    .map(
      (action) =>
        `| [#${action.issue}](https://github.com/${repository}/issues/${action.issue}) | ${action.outcome} | ${action.messages.map(cell).join('<br>')} |`,
    );
  const c = summary.counts;
  return [
    '## Signature processor',
    '',
    `Accepted ${c.signed}, updated ${c.updated}, already recorded ${c.recorded}, withdrawn ${c.withdrawn}, rejected ${c.rejected + c['petition-closed']} (${c['still-rejected']} still waiting for a fix), refused ${c.refused}, superseded ${c.superseded}, nothing to withdraw ${c['not-signed']}.`,
    '',
    summary.commitSha
      ? `Commit: https://github.com/${repository}/commit/${summary.commitSha}`
      : 'No commit in this run.',
    `API requests: ${summary.requests}.`,
    summary.refusal ? `\n**The commit was refused:** ${summary.refusal}` : '',
    summary.failures.length
      ? `\n**Failures (retried next run):** ${summary.failures.map((failure) => `#${failure.issue}: ${failure.error}`).join('; ')}`
      : '',
    '',
    rows.length ? '| Issue | Outcome | Reasons |\n| --- | --- | --- |\n' + rows.join('\n') : '',
    '',
  ].join('\n');
}

/** The run as plain log lines: issue numbers, outcomes and problem codes, never signer text. */
export function summaryLogLines(summary: RunSummary): string[] {
  const lines = [
    `Outcomes: ${
      OUTCOMES.filter((outcome) => summary.counts[outcome] > 0)
        .map((outcome) => `${outcome} ${summary.counts[outcome]}`)
        .join(', ') || 'no open signature or withdrawal issues'
    }.`,
    summary.commitSha ? `Commit ${summary.commitSha}.` : 'No commit in this run.',
    `API requests: ${summary.requests}.`,
  ];
  for (const action of summary.actions)
    if (action.outcome !== 'still-rejected')
      lines.push(
        `#${action.issue} ${action.outcome}${action.problems.length ? ` (${action.problems.join(', ')})` : ''}`,
      );
  for (const failure of summary.failures) lines.push(`#${failure.issue} not finished: ${failure.error}`);
  return lines;
}

/** The ledger file's format (issue #26: before it, a bare map of issue → updated_at). */
const LEDGER_FORMAT = 'petition-ledger/2';
/**
 * The largest ledger read: an entry is about 40 bytes, so 64 MB is over a million issues. A larger
 * file is not what any run wrote, and reading it could exceed what one string may hold.
 */
export const LEDGER_MAX_BYTES = 64 * 1024 * 1024;
const UPDATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const ISSUE_NUMBER = /^[1-9]\d{0,9}$/;

/**
 * The files whose code decides how the processor answers an issue, besides the core's and the
 * locked dependencies (see rulesFingerprint): a ledger written under other rules is not used, so
 * that issues wrongly refused before a validation fix are looked at again.
 */
export async function processorFingerprint(checkoutDir: string): Promise<string> {
  const templates = await readdir(path.join(checkoutDir, '.github/ISSUE_TEMPLATE')).catch(() => [] as string[]);
  return rulesFingerprint(checkoutDir, [
    'scripts/commands/process-signatures.ts',
    'content/settings.json',
    ...templates
      .filter((name) => name.endsWith('.yml'))
      .sort()
      .map((name) => `.github/ISSUE_TEMPLATE/${name}`),
  ]);
}

/**
 * Reads the ledger file a previous run left: issue number → updated_at when last answered. The
 * ledger comes from the Actions cache, which any job on the default branch can write, so it is
 * hostile input and only ever a speed-up: a ledger that is missing, larger than
 * {@link LEDGER_MAX_BYTES} (checked before reading), not JSON, of another format, written under
 * other `rules`, or with any malformed entry is set aside (deleted, with a warning through `warn`) and the run starts from an empty ledger, which costs one re-validation
 * of each open issue and no requests. Never throws.
 */
export async function readLedger(
  file: string | undefined,
  rules: string,
  warn: (message: string) => void = () => {},
): Promise<Map<number, string>> {
  if (!file) return new Map();
  // Set aside by deleting it: a file kept beside it would be saved into the next cache entry.
  const setAside = async (why: string) => {
    warn(`The ledger of answered issues was set aside (${why}); every open issue is validated again.`);
    await rm(file, { force: true }).catch(() => {});
    return new Map<number, string>();
  };
  try {
    const size = (await stat(file)).size;
    if (size > LEDGER_MAX_BYTES) return await setAside(`${size} bytes, more than ${LEDGER_MAX_BYTES}`);
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== LEDGER_FORMAT)
      return await setAside('of another format');
    const { rules: writtenUnder, answered } = data as { rules?: unknown; answered?: unknown };
    if (writtenUnder !== rules) return await setAside('written under other rules: code, Node or Unicode changed');
    if (typeof answered !== 'object' || answered === null || Array.isArray(answered))
      return await setAside('no map of answered issues');
    const ledger = new Map<number, string>();
    for (const [key, value] of Object.entries(answered)) {
      if (!ISSUE_NUMBER.test(key) || typeof value !== 'string' || !UPDATED_AT.test(value))
        return await setAside('a malformed entry');
      ledger.set(Number(key), value);
    }
    return ledger;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    return setAside(`unreadable: ${(error as Error).name}`);
  }
}

/** Writes the ledger for the next run, with the rules it was written under. */
export async function writeLedger(file: string, rules: string, answered: Record<string, string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ format: LEDGER_FORMAT, rules, answered }));
}

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
