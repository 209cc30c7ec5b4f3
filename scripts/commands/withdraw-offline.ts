/**
 * `npm run withdraw-offline -- --contact <email or phone>` (or `--hash <contact hash or id>`):
 * removes one offline signer, found by the keyed hash of the contact they signed with (or, for a
 * signer who gave none, by the signature's id), after they asked the maintainers by email. Prints the commit message; nothing is committed or pushed. The
 * message names the batch and line, never the contact.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { planOfflineWithdrawal } from '../offline/offline-withdrawal.ts';
import { contactHash, normaliseContact } from '../core/offline-signature.ts';
import { signaturesDirectory } from '../store/load-signatures.ts';
import { existingFiles, readContactKey, type CliResult } from '../offline/offline-tools.ts';

const USAGE = `Usage:
  npm run withdraw-offline -- --contact <the email address or phone number they signed with>
  npm run withdraw-offline -- --hash <the contact's keyed hash, or the signature's id (c… or r…, in the open data, data/signatures/)>
--contact needs PETITION_CONTACT_KEY (or PETITION_CONTACT_KEY_FILE): the same key that added the batch.`;

/** Runs the command against `projectRoot` (signatures in SIGNATURES_DIR or signatures/). */
export async function withdrawOffline(
  argv: string[],
  { projectRoot, env }: { projectRoot: string; env: NodeJS.ProcessEnv },
): Promise<CliResult> {
  const failed = (message: string, code = 1): CliResult => ({ code, out: [], err: [message] });
  let values: { contact?: string; hash?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { contact: { type: 'string' }, hash: { type: 'string' } },
    }));
  } catch (error) {
    return failed(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if ((values.contact === undefined) === (values.hash === undefined)) return failed(USAGE, 2);

  let hash = values.hash;
  if (values.contact !== undefined) {
    const key = readContactKey(env, projectRoot);
    if (!key.ok) return failed(key.problem);
    if (key.key === undefined)
      return failed(
        'Finding a signer by contact needs the contact key: set PETITION_CONTACT_KEY (or PETITION_CONTACT_KEY_FILE) to the key the batch was added with. Nothing was changed.',
      );
    const contact = normaliseContact(values.contact);
    if (!contact.ok) return failed(`The ${contact.problem}. Nothing was changed.`);
    hash = contactHash(contact.value, key.key);
  }

  const directory = signaturesDirectory(env, projectRoot);
  const plan = planOfflineWithdrawal(hash!, existingFiles(directory));
  if (!plan.ok) return failed(plan.problem);
  await rm(path.join(directory, plan.path));
  return {
    code: 0,
    err: [],
    out: [
      `Deleted ${path.join(directory, plan.path)} (batch ${plan.record.batch}, line ${plan.record.row}).`,
      '',
      'Review the change with `git status`, then commit it with this message:',
      '',
      ...plan.commitMessage
        .trimEnd()
        .split('\n')
        .map((line) => (line ? `  ${line}` : '')),
    ],
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const result = await withdrawOffline(process.argv.slice(2), { projectRoot, env: process.env });
  if (result.err.length) console.error(result.err.join('\n'));
  if (result.out.length) console.log(result.out.join('\n'));
  process.exitCode = result.code;
}
