/**
 * `npm run tally`: recounts the signatures in the checkout and prints the count and digest, the
 * same figures the site publishes in data/tally.json, so anyone can check them. With
 * PETITION_SIGNATURES=git it reads them through git as the Pages build does (a blobless clone
 * needs no checkout of a million files), but never from the build's record cache.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSettings } from '../core/settings.ts';
import { computeTally } from '../core/tally.ts';
import { blockedAccountIds, loadSignatures, signaturesDirectory } from '../store/load-signatures.ts';
import { loadSignaturesFromGit } from '../store/load-signatures-git.ts';
import { inertLogText } from '../core/text.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const settings = resolveSettings(
  JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')),
  process.env,
);
// PETITION_SIGNATURES=git reads the commit checked out (or PETITION_SIGNATURES_REPOSITORY's) through
// git, every file, without the build's record cache: a recount that shares nothing with the cache.
const throughGit = process.env.PETITION_SIGNATURES === 'git';
const repository = path.resolve(projectRoot, process.env.PETITION_SIGNATURES_REPOSITORY?.trim() || '.');
const directory = throughGit ? path.join(repository, 'signatures') : signaturesDirectory(process.env, projectRoot);
const blocked = blockedAccountIds(projectRoot);
const { records, skipped } = throughGit
  ? await loadSignaturesFromGit({ repository, folder: 'signatures', blocked })
  : await loadSignatures(directory, { blocked });
const tally = computeTally(records, settings, new Date());

// A file's path and problem may carry a stranger's text: one inert line each (issue #26).
for (const { file, problem } of skipped)
  console.warn(inertLogText(`skipped ${path.join(directory, file)}: ${problem}`, 1000));
const json = process.argv.includes('--json');
if (json) {
  console.log(
    JSON.stringify(
      {
        signature_count: tally.signature_count,
        signatures_by_channel: tally.signatures_by_channel,
        country_count: tally.country_count,
        digest: tally.digest.value,
        skipped,
      },
      null,
      2,
    ),
  );
} else {
  const { github, paper, email } = tally.signatures_by_channel;
  console.log(`signatures: ${tally.signature_count} (GitHub ${github}, paper ${paper}, email ${email})`);
  console.log(`countries:  ${tally.country_count}`);
  console.log(`sha256:     ${tally.digest.value}`);
  if (skipped.length > 0) console.log(`skipped:    ${skipped.length} file(s), listed above`);
}
