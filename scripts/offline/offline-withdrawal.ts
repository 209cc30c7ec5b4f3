/**
 * Withdrawing one offline signer at their request: found by the keyed hash of their contact (or
 * the file id), never by the contact itself, so nothing a signer gave reaches a commit message.
 */
import {
  contactId,
  isOfflineId,
  offlineRelativePath,
  parseOfflineSignatureFile,
  type OfflineSignatureRecord,
} from '../core/offline-signature.ts';
import type { ExistingFiles } from './offline-batch.ts';

export type WithdrawalPlan =
  { ok: true; path: string; record: OfflineSignatureRecord; commitMessage: string } | { ok: false; problem: string };

/**
 * Plans removing one offline signer, found by the keyed hash of their contact (or the file id).
 * The commit message names the batch and line, never the contact.
 */
export function planOfflineWithdrawal(hashOrId: string, existing: ExistingFiles): WithdrawalPlan {
  const given = hashOrId.length <= 100 ? hashOrId.trim().toLowerCase() : '';
  const id = isOfflineId(given) ? given : /^[0-9a-f]{64}$/.test(given) ? contactId(given) : undefined;
  if (id === undefined)
    return {
      ok: false,
      problem: 'That is not a contact hash (64 hex digits) or an offline signature id (c or r and 40 hex digits).',
    };
  const path = offlineRelativePath(id);
  const text = existing.read(path);
  if (text === undefined)
    return {
      ok: false,
      problem: `No offline signature has that contact (no file at signatures/${path}). Nothing was changed.`,
    };
  const parsed = parseOfflineSignatureFile(text, path);
  if (!parsed.ok)
    return {
      ok: false,
      problem: `signatures/${path} is not a valid signature file (${parsed.problem}); remove it by hand.`,
    };
  const { record } = parsed;
  return {
    ok: true,
    path,
    record,
    commitMessage:
      `Withdraw an offline signature at the signer's request (batch ${record.batch}, line ${record.row})\n\n` +
      `Removes signatures/${path}, found by the keyed hash of the signer's contact.\n`,
  };
}
