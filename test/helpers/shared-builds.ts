/**
 * Builds of the amur-leopard fixture that several test files read, each named by what it is. A
 * file that needs one of these sites calls the recipe instead of spelling its own inputs, so the
 * build is made once a run and every later caller gets a copy of it (./build-cache.ts): a whole
 * site build costs 3.3–4.1 s of CPU, and the run is CPU-bound on 2 cores.
 *
 * Change a recipe's inputs only with every caller's assertions in mind; a file whose test needs
 * other inputs builds its own.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildSite, projectRoot, type BuiltSite } from './site.ts';

const fixtures = path.join(projectRoot, 'test/fixtures/signatures');

/** The repository the browser tests' sign forms open issues in. */
export const FORM_REPOSITORY = 'leopard-friends/save-the-amur-leopard';
/** The path prefix the browser tests serve the fixture under. */
export const FORM_PREFIX = '/amur-leopard/';

/**
 * The fixture with no signature (an empty folder), its issues in FORM_REPOSITORY, built for
 * FORM_PREFIX: open until 2099 (test/browser/sign-form.test.ts's open form,
 * test/browser/signature-sheet.test.ts), or with `closing` as its closing date (a past one: the
 * petition closed by date, sign-form.test.ts and test/site/build.test.ts).
 */
export async function emptyFormSite(options: { state?: 'open' | 'closed'; closing?: string } = {}): Promise<BuiltSite> {
  return buildSite({
    signaturesDir: await mkdtemp(path.join(os.tmpdir(), 'petition-no-signatures-')),
    settings: {
      repository: FORM_REPOSITORY,
      state: options.state ?? 'open',
      closing_date: options.closing ?? '2099-12-31',
    },
    env: { PATH_PREFIX: FORM_PREFIX },
  });
}

/**
 * The fixture with no signature (test/fixtures/signatures/none), open until 2099, no path prefix
 * (test/issue-templates/issue-templates.test.ts, test/site/build.test.ts).
 */
export function noSignaturesSite(): Promise<BuiltSite> {
  return buildSite({
    signaturesDir: path.join(fixtures, 'none'),
    settings: { state: 'open', closing_date: '2099-12-31' },
  });
}

/**
 * The fixture with its one signature (test/fixtures/signatures/one), built for the repository
 * leopards/petition with no token to ask GitHub with (test/site/waiting-signatures.test.ts, which
 * checks the build leaves the waiting line out; test/site/build.test.ts).
 */
export function oneSignatureSite(): Promise<BuiltSite> {
  return buildSite({ signaturesDir: path.join(fixtures, 'one'), env: { PETITION_REPOSITORY: 'leopards/petition' } });
}
