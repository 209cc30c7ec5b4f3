/**
 * The ledger of answered issues (issue number → updated_at when last answered), kept between runs
 * in the Actions cache so that untouched issues cost nothing. It is keyed by the rules that wrote
 * it (processorFingerprint) and read as hostile input (readLedger): only ever a speed-up.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rulesFingerprint } from '../store/load-signatures-git.ts';

/** The ledger file's format (issue #26: before it, a bare map of issue → updated_at). */
const LEDGER_FORMAT = 'petition-ledger/2';
/**
 * The largest ledger read: an entry is about 40 bytes, so 64 MB is over a million issues. A larger
 * file is not what any run wrote, and reading it could exceed what one string may hold.
 */
export const LEDGER_MAX_BYTES = 64 * 1024 * 1024;
const UPDATED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
const ISSUE_NUMBER = /^[1-9]\d{0,9}$/;

/**
 * The files whose code decides how the processor answers an issue, besides the core's and the
 * locked dependencies (see rulesFingerprint): the command, the GitHub adapter (the processor's
 * stages live in scripts/github/), the settings and the forms. A ledger written under other rules
 * is not used, so that issues wrongly refused before a validation fix are looked at again.
 */
export async function processorFingerprint(checkoutDir: string): Promise<string> {
  const templates = await readdir(path.join(checkoutDir, '.github/ISSUE_TEMPLATE')).catch(() => [] as string[]);
  // A checkout without scripts/github/ throws below, as one without the command does: the caller
  // then keys the ledger by a fingerprint no ledger has.
  const adapter = await readdir(path.join(checkoutDir, 'scripts/github'));
  return rulesFingerprint(checkoutDir, [
    'scripts/commands/process-signatures.ts',
    ...adapter
      .filter((name) => name.endsWith('.ts'))
      .sort()
      .map((name) => `scripts/github/${name}`),
    'content/settings.json',
    ...templates
      .filter((name) => name.endsWith('.yml'))
      .sort()
      .map((name) => `.github/ISSUE_TEMPLATE/${name}`),
  ]);
}

/**
 * Reads the ledger file a previous run left: issue number → updated_at when last answered. The
 * ledger comes from the Actions cache, which any job on the default branch can write, so it is
 * hostile input and only ever a speed-up: a ledger that is missing, larger than
 * {@link LEDGER_MAX_BYTES} (checked before reading), not JSON, of another format, written under
 * other `rules`, or with any malformed entry is set aside (deleted, with a warning through `warn`) and the run starts from an empty ledger, which costs one re-validation
 * of each open issue and no requests. Never throws.
 */
export async function readLedger(
  file: string | undefined,
  rules: string,
  warn: (message: string) => void = () => {},
): Promise<Map<number, string>> {
  if (!file) return new Map();
  // Set aside by deleting it: a file kept beside it would be saved into the next cache entry.
  const setAside = async (why: string) => {
    warn(`The ledger of answered issues was set aside (${why}); every open issue is validated again.`);
    await rm(file, { force: true }).catch(() => {});
    return new Map<number, string>();
  };
  try {
    const size = (await stat(file)).size;
    if (size > LEDGER_MAX_BYTES) return await setAside(`${size} bytes, more than ${LEDGER_MAX_BYTES}`);
    const data = JSON.parse(await readFile(file, 'utf8')) as unknown;
    if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== LEDGER_FORMAT)
      return await setAside('of another format');
    const { rules: writtenUnder, answered } = data as { rules?: unknown; answered?: unknown };
    if (writtenUnder !== rules) return await setAside('written under other rules: code, Node or Unicode changed');
    if (typeof answered !== 'object' || answered === null || Array.isArray(answered))
      return await setAside('no map of answered issues');
    const ledger = new Map<number, string>();
    for (const [key, value] of Object.entries(answered)) {
      if (!ISSUE_NUMBER.test(key) || typeof value !== 'string' || !UPDATED_AT.test(value))
        return await setAside('a malformed entry');
      ledger.set(Number(key), value);
    }
    return ledger;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    return setAside(`unreadable: ${(error as Error).name}`);
  }
}

/** Writes the ledger for the next run, with the rules it was written under. */
export async function writeLedger(file: string, rules: string, answered: Record<string, string>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ format: LEDGER_FORMAT, rules, answered }));
}
