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
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { buildSite, projectRoot, type BuiltSite } from './site.ts';

const fixtures = path.join(projectRoot, 'test/fixtures/signatures');

/**
 * The repository the browser tests' sign forms open issues in: the one the fake GitHub of
 * test/processor/harness.ts plays, so that test/browser/sign-in-languages.test.ts can take an
 * issue from the form to the processor on the same build.
 */
export const FORM_REPOSITORY = 'leopards/petition';
/** The path prefix the browser tests serve the fixture under. */
export const FORM_PREFIX = '/amur-leopard/';

/**
 * The fixture with no signature (an empty folder), its issues in FORM_REPOSITORY, built for
 * FORM_PREFIX: open until 2099 (test/browser/sign-form.test.ts's open form,
 * test/browser/signature-sheet.test.ts, test/browser/sign-in-languages.test.ts), or with
 * `closing` as its closing date (a past one: the petition closed by date, sign-form.test.ts and
 * test/site/build.test.ts).
 */
export async function emptyFormSite(options: { closing?: string } = {}): Promise<BuiltSite> {
  return buildSite({
    signaturesDir: await mkdtemp(path.join(os.tmpdir(), 'petition-no-signatures-')),
    settings: { repository: FORM_REPOSITORY, state: 'open', closing_date: options.closing ?? '2099-12-31' },
    env: { PATH_PREFIX: FORM_PREFIX },
  });
}

/**
 * The fixture with no signature (test/fixtures/signatures/none), open until 2099, no path prefix,
 * and no lead image (test/issue-templates/issue-templates.test.ts, test/site/build.test.ts, and
 * test/site/pictures.test.ts, which checks what a petition without an image shows).
 */
export function noSignaturesSite(): Promise<BuiltSite> {
  return buildSite({
    signaturesDir: path.join(fixtures, 'none'),
    settings: { state: 'open', closing_date: '2099-12-31', image: '' },
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

/**
 * 45 generated signers (seed 7): three list pages of 20, and a receipt page each
 * (test/browser/accessibility.test.ts visits one of each kind).
 */
export const SAMPLE_SIGNATURES = generateSampleRecords(45, { seed: 7 });

/**
 * SAMPLE_SIGNATURES, 20 a list page, built for FORM_PREFIX with 2099 as closing date: open, or
 * closed by its organisers (test/browser/accessibility.test.ts's two petitions; the closed one is
 * test/site/build.test.ts's and test/browser/sign-form.test.ts's closed petition too).
 */
export async function sampleSite(state: 'open' | 'closed'): Promise<BuiltSite> {
  const signatures = await mkdtemp(path.join(os.tmpdir(), 'petition-sample-'));
  await writeSignatureFiles(signatures, SAMPLE_SIGNATURES);
  return buildSite({
    signaturesDir: signatures,
    settings: { signatures_per_page: 20, state, closing_date: '2099-12-31' },
    env: { PATH_PREFIX: FORM_PREFIX },
  });
}

/** One GitHub signature from Russia (issue 42), two on paper (Russia, China), one by email (Germany). */
export const MIXED_SIGNATURES = path.join(fixtures, 'mixed');

/**
 * A fixed build time (SOURCE_DATE_EPOCH, 30 November 2026: after every fixture signature), so
 * that two builds compare byte for byte and a shared build does not depend on the day.
 */
export const FIXED_CLOCK = { SOURCE_DATE_EPOCH: '1796000000' } as const;

/**
 * MIXED_SIGNATURES built for FORM_PREFIX at FIXED_CLOCK (test/site/path-prefix.test.ts, which
 * compares it with the same build through Eleventy's HtmlBasePlugin, given in `env`;
 * test/browser/signature-lists-in-languages.test.ts).
 */
export function mixedSite(env: Record<string, string> = {}): Promise<BuiltSite> {
  return buildSite({ signaturesDir: MIXED_SIGNATURES, env: { PATH_PREFIX: FORM_PREFIX, ...FIXED_CLOCK, ...env } });
}
