/**
 * The processor's read stage: what the checkout holds (settings, every language's forms and
 * strings, the letter's digests, the blocked accounts, the issue chooser), and each issue author's
 * current signature file with, for the few issues that need it, the file's latest commit.
 * Configuration errors throw, with what to run or fix.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import {
  needsHistory,
  type BlockedAccount,
  type FileHistory,
  type IssueSnapshot,
  type LanguageForms,
} from '../core/decide.ts';
import type { Catalog } from '../core/i18n.ts';
import { ISSUE_CHOOSER_CONFIG_PATH } from '../core/issue-chooser.ts';
import { formFieldsFromTemplate } from '../core/issue-form.ts';
import { templateFileName, type FormKind } from '../core/issue-templates.ts';
import { BLOCKED_ACCOUNTS_PATH, parseBlockedAccounts } from '../core/moderation.ts';
import { resolveSettings, type Settings } from '../core/settings.ts';
import { signatureRelativePath } from '../core/signature-file.ts';
import { letterDigest } from '../core/tally.ts';
import { readCatalogs } from '../store/catalogs.ts';
import type { SignatureStore } from '../store/signature-store.ts';
import type { ProcessorOctokit } from './client.ts';
import { fileHistory, type RepositoryRef } from './issues.ts';

/** What the processor reads from the checkout: settings, the forms, the letter, moderation. */
export interface CheckoutState {
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

/** Read stage, part 1: everything the checkout holds. Configuration errors throw. */
export async function readCheckout(checkoutDir: string): Promise<CheckoutState> {
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
export async function readSigners(
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
