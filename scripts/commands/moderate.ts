/**
 * `npm run moderate -- block <user id> --reason "…"` and `npm run moderate -- remove <user id>
 * --reason "…"`: a maintainer's moderation as one reviewable change. `block` adds the account to
 * content/moderation/blocked-accounts.yml with its public reason and deletes its signature file;
 * `remove` only deletes the file. Both print the commit message to use, so the reason is in the
 * history next to the removal. Nothing is committed or pushed: review with `git diff` first.
 * Both also print how to delete the Actions caches, which hold copies of signature files, for
 * when the removal answers an erasure request.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { addBlockedAccount, BLOCKED_ACCOUNTS_PATH } from '../core/moderation.ts';
import { signatureRelativePath } from '../core/signature-file.ts';

const USAGE = `Usage:
  npm run moderate -- block <user id> --reason "why, in one public sentence" [--login <login>]
  npm run moderate -- remove <user id> --reason "why, in one public sentence"`;

/** Runs one moderation command in `projectRoot`; returns the lines to print. Throws with usage on bad input. */
export async function moderate(argv: string[], projectRoot: string, today: Date): Promise<string[]> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { reason: { type: 'string' }, login: { type: 'string' } },
  });
  const [command, idText] = positionals;
  if ((command !== 'block' && command !== 'remove') || !idText || positionals.length !== 2) throw new Error(USAGE);
  const userId = Number(idText);
  if (!/^[1-9]\d{0,15}$/.test(idText) || !Number.isSafeInteger(userId))
    throw new Error(
      `"${idText}" is not a numeric GitHub user id (the file name in signatures/, without ".md").\n${USAGE}`,
    );
  const reason = values.reason?.replace(/\s+/g, ' ').trim();
  if (!reason) throw new Error(`Give the public reason with --reason "…".\n${USAGE}`);

  const lines: string[] = [];
  const signatureFile = path.join('signatures', signatureRelativePath(userId));
  let removed = false;
  try {
    await rm(path.join(projectRoot, signatureFile));
    removed = true;
    lines.push(`Deleted ${signatureFile}.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    lines.push(`No signature file at ${signatureFile}.`);
  }
  if (command === 'block') {
    const listFile = path.join(projectRoot, BLOCKED_ACCOUNTS_PATH);
    let text: string | undefined;
    try {
      text = await readFile(listFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entry = {
      user_id: userId,
      ...(values.login ? { login: values.login } : {}),
      reason,
      date: today.toISOString().slice(0, 10),
    };
    await writeFile(listFile, addBlockedAccount(text, entry));
    lines.push(`Added user ${userId} to ${BLOCKED_ACCOUNTS_PATH}.`);
  } else if (!removed) {
    throw new Error(`Nothing to remove: ${signatureFile} does not exist.`);
  }
  const subject =
    command === 'block'
      ? `Block user ${userId}${removed ? ' and remove their signature' : ''}`
      : `Remove the signature of user ${userId}`;
  lines.push(
    '',
    'Review the change with `git diff`, then commit it (`git commit -a`) with this message:',
    '',
    `  ${subject}`,
    '',
    `  Reason: ${reason}`,
    '',
    // Issue #26: the Pages build keeps every signature file's text in the Actions cache, and old
    // entries stay until they expire (7 days unused) or the cache is full.
    'If this answers an erasure request: once the history is rewritten and force-pushed, delete the',
    "repository's Actions caches too, which hold copies of every signature file (the Pages build's",
    'petition-signature-files-* entries), from a clone with the GitHub CLI:',
    '',
    '  gh cache delete --all',
    '',
    '(or, through the REST API, DELETE /repos/{owner}/{repo}/actions/caches/{cache_id} for each',
    'cache GET /repos/{owner}/{repo}/actions/caches lists). The next build reads every file again.',
    '',
    // The records our builds keep (scripts/store/load-signatures-git-trusted.ts) hold every signer's
    // public fields; a build after the removal writes them without the file, the older stay a day.
    'Each Pages build also keeps its parsed records as an artifact of its run (petition-records,',
    'kept one day). Delete those made before the removal too, or wait a day:',
    '',
    '  ' + ARTIFACT_DELETION,
  );
  return lines;
}

/** The GitHub CLI command that deletes the records artifacts of the current repository. */
export const ARTIFACT_DELETION =
  "gh api 'repos/{owner}/{repo}/actions/artifacts?name=petition-records' --paginate --jq '.artifacts[].id' " +
  "| xargs -I% gh api -X DELETE 'repos/{owner}/{repo}/actions/artifacts/%'";

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  moderate(process.argv.slice(2), projectRoot, new Date())
    .then((lines) => console.log(lines.join('\n')))
    .catch((error: Error) => {
      console.error(error.message);
      process.exit(2);
    });
}
