/**
 * What `npm run add-signatures` and `npm run withdraw-offline` share: the contact key, read from
 * outside the repository, and the signatures folder as a read-only lookup.
 */
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTACT_KEY_MIN_LENGTH } from '../core/offline-signature.ts';
import { isReadableSignatureFile, NOT_A_SIGNATURE_FILE } from '../store/signature-store.ts';
import type { ExistingFiles } from './offline-batch.ts';

/** What a maintainer's command answers: its exit code and the lines it prints. */
export interface CliResult {
  code: number;
  out: string[];
  err: string[];
}

export type ContactKey = { ok: true; key: string | undefined } | { ok: false; problem: string };

/** Whether `file` is `folder` or inside it. */
export function isInside(file: string, folder: string): boolean {
  const relative = path.relative(path.resolve(folder), path.resolve(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The maintainers' contact key: PETITION_CONTACT_KEY (a repository secret in Actions, or set in a
 * maintainer's shell), or the file PETITION_CONTACT_KEY_FILE names, which must be outside the
 * repository so that it can never be committed. `key` is undefined when neither is set.
 */
export function readContactKey(env: NodeJS.ProcessEnv, projectRoot: string): ContactKey {
  let key = env.PETITION_CONTACT_KEY?.trim();
  const file = env.PETITION_CONTACT_KEY_FILE?.trim();
  if (!key && file) {
    if (isInside(file, projectRoot))
      return {
        ok: false,
        problem: `PETITION_CONTACT_KEY_FILE points inside the repository (${file}); keep the key outside it, where it can never be committed.`,
      };
    try {
      key = readFileSync(file, 'utf8').trim();
    } catch (error) {
      return {
        ok: false,
        problem: `Cannot read PETITION_CONTACT_KEY_FILE (${(error as NodeJS.ErrnoException).code}).`,
      };
    }
  }
  if (!key) return { ok: true, key: undefined };
  if (key.length < CONTACT_KEY_MIN_LENGTH)
    return {
      ok: false,
      problem: `The contact key is shorter than ${CONTACT_KEY_MIN_LENGTH} characters; make one with \`openssl rand -hex 32\`.`,
    };
  return { ok: true, key };
}

/** The signatures folder as the pure planners read it; a missing file is undefined. */
export function existingFiles(signaturesDir: string): ExistingFiles {
  return {
    read(relativePath) {
      try {
        const file = path.join(signaturesDir, relativePath);
        if (!isReadableSignatureFile(lstatSync(file))) return NOT_A_SIGNATURE_FILE;
        return readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}
