/**
 * Moderation that sticks: the accounts maintainers blocked from signing, kept in a reviewed file
 * with a public reason for each. The processor refuses their new issues with a neutral message,
 * and the site's loader leaves out any signature file of theirs that is still in the tree. Pure.
 */
import YAML from 'yaml';

/** Where the list lives in the repository (not rendered by the site: Eleventy ignores .yml). */
export const BLOCKED_ACCOUNTS_PATH = 'content/moderation/blocked-accounts.yml';

export interface BlockedAccountEntry {
  user_id: number;
  login?: string;
  reason: string;
  date?: string;
}

/**
 * Reads the list. A malformed list is a maintainer's mistake in a reviewed file, not a stranger's
 * input: it throws with the entry and what is wrong, and the run stops before touching anything.
 */
export function parseBlockedAccounts(text: string): Map<number, BlockedAccountEntry> {
  const data: unknown = YAML.parse(text, { schema: 'core', uniqueKeys: true }) ?? [];
  if (!Array.isArray(data))
    throw new Error(`${BLOCKED_ACCOUNTS_PATH} must be a list of entries (each starting with "- user_id:").`);
  const blocked = new Map<number, BlockedAccountEntry>();
  data.forEach((entry: unknown, index) => {
    const where = `${BLOCKED_ACCOUNTS_PATH}, entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: not a mapping.`);
    const { user_id, login, reason, date } = entry as Record<string, unknown>;
    if (typeof user_id !== 'number' || !Number.isSafeInteger(user_id) || user_id <= 0)
      throw new Error(`${where}: user_id must be the account's numeric GitHub id.`);
    if (typeof reason !== 'string' || reason.trim() === '')
      throw new Error(`${where}: every block needs a public reason.`);
    if (login !== undefined && typeof login !== 'string') throw new Error(`${where}: login must be text.`);
    blocked.set(user_id, {
      user_id,
      reason: reason.trim(),
      ...(login ? { login } : {}),
      ...(date !== undefined ? { date: String(date) } : {}),
    });
  });
  return blocked;
}

/** The list with one more entry, as file text (comments at the top of the file are kept). */
export function addBlockedAccount(text: string | undefined, entry: BlockedAccountEntry): string {
  const document = YAML.parseDocument(text ?? BLOCKED_ACCOUNTS_HEADER);
  const existing = parseBlockedAccounts(text ?? '');
  if (existing.has(entry.user_id)) throw new Error(`The account ${entry.user_id} is already blocked.`);
  if (!YAML.isSeq(document.contents)) document.contents = document.createNode([]) as typeof document.contents;
  (document.contents as YAML.YAMLSeq).add(document.createNode(entry));
  return document.toString({ lineWidth: 0 });
}

const BLOCKED_ACCOUNTS_HEADER = `# Accounts blocked from signing this petition, each with a public reason.
# Add entries with \`npm run moderate -- block <user id> --reason "…"\`, which also removes the
# account's signature in the same change; review and commit it like any other change.
[]
`;
