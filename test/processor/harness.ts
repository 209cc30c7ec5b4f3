/** Runs the real processor against the fake GitHub, with a checkout in a temporary folder. */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ISSUE_CHOOSER_CONFIG_PATH, issueChooserConfigFor } from '../../scripts/core/issue-chooser.ts';
import { formFieldsFromTemplate, renderIssueForm } from '../../scripts/core/issue-form.ts';
import { resolveSettings, siteBaseUrl } from '../../scripts/core/settings.ts';
import { createClient } from '../../scripts/github/client.ts';
import { processSignatures, type ProcessOptions, type RunSummary } from '../../scripts/github/processor.ts';
import { BOT_COMMENT_MARKER } from '../../scripts/core/messages.ts';
import type { FakeGitHub, FakeIssueInput } from '../../scripts/tooling/fake-github/server.ts';
import { petitionProject, type FixturePetition } from '../helpers/petitions.ts';

export const REPOSITORY = 'leopards/petition';
export const [OWNER, REPO] = REPOSITORY.split('/') as [string, string];

/** The petition the processor tests run against unless they name another: a fixture, not content/. */
export const leopardProject = await petitionProject('amur-leopard');

/** The fields of one of a fixture petition's issue forms ("sign-es.yml"), as GitHub renders them. */
export async function formFields(file: string, petition: FixturePetition = 'amur-leopard') {
  const root = await petitionProject(petition);
  return formFieldsFromTemplate(YAML.parse(await readFile(path.join(root, '.github/ISSUE_TEMPLATE', file), 'utf8')));
}

export const signFields = await formFields('sign.yml');
export const withdrawFields = await formFields('withdraw.yml');
export const letterText = await readFile(path.join(leopardProject, 'content/letter.md'), 'utf8');

/** An issue body exactly as GitHub renders the signing form. */
export function signBody({
  name = '',
  country = '',
  reason = '',
  consent = true,
}: {
  name?: string;
  country?: string;
  reason?: string;
  consent?: boolean;
}): string {
  return renderIssueForm(signFields, { name, country, reason, consent: [consent] });
}

/** A signature issue by `user`, with a body made by the signing form. */
export function signIssue(
  user: { login: string; id: number },
  fields: Parameters<typeof signBody>[0],
  extra: Partial<FakeIssueInput> = {},
): FakeIssueInput {
  return { body: signBody(fields), labels: ['signature'], user, ...extra };
}

/** The bot's comments on issue `n` (its receipts and answers), found by their hidden marker. */
export function botCommentsOn(fake: FakeGitHub, n: number) {
  return fake.issue(n).comments.filter((comment) => comment.body.startsWith(BOT_COMMENT_MARKER));
}

/** An issue body exactly as GitHub renders the withdrawal form. */
export function withdrawBody(confirm = true): string {
  return renderIssueForm(withdrawFields, { confirm: [confirm] });
}

/**
 * A checkout of the repository as actions/checkout would make it: a fixture petition's settings,
 * issue forms, language files and letters (amur-leopard unless `petition` names another), and the
 * signature files currently on the fake's branch.
 */
export async function makeCheckout(
  fake: FakeGitHub,
  settings: Record<string, unknown> = {},
  petition: FixturePetition = 'amur-leopard',
): Promise<string> {
  const source = await petitionProject(petition);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'petition-checkout-'));
  await mkdir(path.join(dir, 'content'), { recursive: true });
  await cp(path.join(source, '.github/ISSUE_TEMPLATE'), path.join(dir, '.github/ISSUE_TEMPLATE'), {
    recursive: true,
  });
  await cp(path.join(source, 'content/i18n'), path.join(dir, 'content/i18n'), { recursive: true });
  await writeFile(path.join(dir, 'content/letter.md'), await readFile(path.join(source, 'content/letter.md'), 'utf8'));
  const base = JSON.parse(await readFile(path.join(source, 'content/settings.json'), 'utf8'));
  const checkoutSettings = {
    ...base,
    repository: REPOSITORY,
    site_url: 'https://leopards.github.io',
    path_prefix: '/petition/',
    ...settings,
  };
  await writeFile(path.join(dir, 'content/settings.json'), JSON.stringify(checkoutSettings));
  // A repository whose issue chooser already links to its own site, as after its first run.
  const chooserFile = path.join(dir, ISSUE_CHOOSER_CONFIG_PATH);
  const chooser = issueChooserConfigFor(
    await readFile(chooserFile, 'utf8'),
    siteBaseUrl(resolveSettings(checkoutSettings)),
  );
  if (chooser) await writeFile(chooserFile, chooser);
  await syncCheckout(fake, dir);
  return dir;
}

/** Makes the checkout's signatures/ match the fake branch head (a fresh actions/checkout). */
export async function syncCheckout(fake: FakeGitHub, dir: string): Promise<void> {
  await rm(path.join(dir, 'signatures'), { recursive: true, force: true });
  await mkdir(path.join(dir, 'signatures'), { recursive: true });
  for (const [file, content] of Object.entries(fake.files())) {
    if (!file.startsWith('signatures/')) continue;
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
}

/** Runs one sweep with fast pacing (no 1 s between writes, retry-after counted in 10 ms). */
export async function runProcessor(
  fake: FakeGitHub,
  checkoutDir: string,
  extra: Partial<ProcessOptions> = {},
): Promise<RunSummary & { logs: string[] }> {
  let requests = 0;
  const logs: string[] = [];
  const octokit = createClient({
    baseUrl: fake.baseUrl,
    token: 'test-token',
    writeIntervalMs: 0,
    retryTimeUnitMs: 10,
    log: (m) => logs.push(m),
    onRequest: () => (requests += 1),
  });
  const summary = await processSignatures(
    {
      octokit,
      repository: REPOSITORY,
      branch: 'main',
      checkoutDir,
      now: () => new Date('2026-11-24T12:00:00Z'),
      log: (m) => logs.push(m),
      sleep: async () => {},
      ...extra,
    },
    () => requests,
  );
  return { ...summary, logs };
}

/** Signature files on the fake branch. */
export function signatureFiles(fake: FakeGitHub): Record<string, string> {
  return Object.fromEntries(Object.entries(fake.files()).filter(([file]) => file.startsWith('signatures/')));
}
