/**
 * `npm run tally`: recounts the signatures in the checkout and prints the count and digest, the
 * same figures the site publishes in data/tally.json, so anyone can check them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSettings } from '../core/settings.ts';
import { computeTally } from '../core/tally.ts';
import { blockedAccountIds, loadSignatures, signaturesDirectory } from '../store/load-signatures.ts';
import { inertLogText } from '../core/text.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const settings = resolveSettings(
  JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')),
  process.env,
);
const directory = signaturesDirectory(process.env, projectRoot);
const { records, skipped } = await loadSignatures(directory, { blocked: blockedAccountIds(projectRoot) });
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
