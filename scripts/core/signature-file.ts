/**
 * The signature file: one per signer at signatures/<aa>/<bb>/<user_id>.md, YAML front matter
 * with the public fields and the optional reason as the plain-text body. Pure: text in, text out.
 */
import matter from 'gray-matter';
import YAML from 'yaml';
import { isCountryCode } from './countries.ts';
import {
  detached,
  NAME_LIMITS,
  nameProblems,
  normaliseText,
  REASON_LIMITS,
  reasonProblems,
  describeTextProblem,
} from './text.ts';

/** What one signer signed, as stored in their file. Every field is public. */
export interface SignatureRecord {
  /** The name as the signer wants it shown. */
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** GitHub login at signing time (logins can change; user_id cannot). */
  login: string;
  /** Numeric GitHub user id: the key, one signature per account. */
  user_id: number;
  /** The issue that carried the signature: the receipt. */
  issue: number;
  /** The issue's created_at (GitHub's clock), ISO 8601 UTC. */
  signed_at: string;
  /** SHA-256 of the letter text the signer saw, or "" when unknown. */
  letter_sha256: string;
  /** Optional reason for signing, plain text ("" when none). */
  reason: string;
}

export const NAME_MAX_CHARACTERS = NAME_LIMITS.characters;
export const REASON_MAX_CHARACTERS = REASON_LIMITS.characters;
/**
 * Larger files cannot have come from the processor (the largest name and reason the shared rules
 * allow, with YAML's escapes, stay under 16 KiB; a test checks it); refusing them early keeps the
 * build fast.
 */
export const SIGNATURE_FILE_MAX_BYTES = 16 * 1024;

const LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const SHA256_PATTERN = /^(?:[0-9a-f]{64})?$/;

/**
 * Where a signer's file lives, relative to the signatures folder. Two levels keyed by the id's
 * last four digits: 10,000 folders of about 100 files each at 1,000,000 signatures (GitHub
 * advises at most 3,000 entries per directory; we aim for 1,000).
 */
export function signatureRelativePath(userId: number): string {
  if (!Number.isSafeInteger(userId) || userId <= 0) throw new Error(`Not a GitHub user id: ${userId}`);
  const low = String(userId % 10000).padStart(4, '0');
  return `${low.slice(2, 4)}/${low.slice(0, 2)}/${userId}.md`;
}

/** The user id a path names, or undefined when the path is not where such a file belongs. */
export function userIdFromRelativePath(relativePath: string): number | undefined {
  const match = SHARDED_PATH.exec(relativePath.includes('\\') ? relativePath.replace(/\\/g, '/') : relativePath);
  if (!match) return undefined;
  const id = Number(match[3]);
  if (!Number.isSafeInteger(id)) return undefined;
  // The folders signatureRelativePath(id) names, compared as numbers (both are two digits).
  const low = id % 10000;
  return Number(match[1]) === low % 100 && Number(match[2]) === Math.floor(low / 100) ? id : undefined;
}

const SHARDED_PATH = /^(\d{2})\/(\d{2})\/([1-9]\d{0,15})\.md$/;

/**
 * Writes a record as file text. Every string is double-quoted by the YAML library, so no
 * name can break out of the front matter; the reason goes in the body as plain text.
 */
export function renderSignatureFile(record: SignatureRecord): string {
  const frontMatter = new YAML.Document({
    name: record.name,
    country: record.country,
    login: record.login,
    user_id: record.user_id,
    issue: record.issue,
    signed_at: record.signed_at,
    letter_sha256: record.letter_sha256,
  });
  const yamlText = frontMatter.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
  const body = record.reason ? `${record.reason}\n` : '';
  return `---\n${yamlText}---\n${body}`;
}

export type ParsedSignatureFile = { ok: true; record: SignatureRecord } | { ok: false; problem: string };

/**
 * The front matter and body of a signature file, GitHub's or offline: bounded in size before
 * anything reads it, CRLF read as LF (a Windows checkout with core.autocrlf), and parsed by
 * `fast` when it recognises the text, by the YAML library otherwise. Field checks are the caller's.
 */
export function readFrontMatter(
  rawText: string,
  fast: (text: string) => { data: Record<string, unknown>; body: string } | undefined = () => undefined,
): { ok: true; fields: Record<string, unknown>; body: string } | { ok: false; problem: string } {
  // UTF-8 never takes fewer bytes than UTF-16 code units: a long text is refused without counting.
  if (rawText.length > SIGNATURE_FILE_MAX_BYTES || Buffer.byteLength(rawText, 'utf8') > SIGNATURE_FILE_MAX_BYTES)
    return { ok: false, problem: `file is larger than ${SIGNATURE_FILE_MAX_BYTES} bytes` };
  const text = rawText.includes('\r') ? rawText.replace(/\r\n?/g, '\n') : rawText;
  if (!text.startsWith('---\n')) return { ok: false, problem: 'file does not start with front matter (---)' };
  let data: unknown;
  let body: string;
  const quick = fast(text);
  if (quick) {
    data = quick.data;
    body = quick.body;
  } else
    try {
      // Options (even empty ones) stop gray-matter from caching every file's text in memory.
      const parsed = matter(text, {
        engines: { yaml: (source: string) => YAML.parse(source, { schema: 'core', uniqueKeys: true }) as object },
      });
      data = parsed.data;
      body = parsed.content;
    } catch (error) {
      return { ok: false, problem: `front matter is not valid YAML (${(error as Error).message.split('\n')[0]})` };
    }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    return { ok: false, problem: 'front matter is not a mapping' };
  return { ok: true, fields: data as Record<string, unknown>, body };
}

/**
 * Reads file text back into a record and checks every field, so a hand-edited or hostile file
 * is reported with the reason instead of reaching a page. `relativePath` must be the file's
 * path inside the signatures folder; the id in it must match the file's user_id. `fastPath`
 * false reads every file with the YAML library (the tests compare the two ways).
 */
export function parseSignatureFile(rawText: string, relativePath: string, fastPath = true): ParsedSignatureFile {
  const pathId = userIdFromRelativePath(relativePath);
  if (pathId === undefined) return { ok: false, problem: 'file is not at signatures/<aa>/<bb>/<user id>.md' };
  const read = readFrontMatter(rawText, fastPath ? parseCanonicalFrontMatter : undefined);
  if (!read.ok) return read;
  const { fields, body } = read;

  // `channel` is optional here: a file without it is a GitHub signature (every file written before
  // offline signatures existed), and one with it must say "github". Paper and email signatures
  // live under offline/ in their own key space (scripts/core/offline-signature.ts).
  const unknown = Object.keys(fields).filter((key) => !GITHUB_FIELDS.has(key));
  if (unknown.length > 0) return { ok: false, problem: `unexpected field(s): ${unknown.join(', ')}` };
  if (fields.channel !== undefined && fields.channel !== 'github')
    return { ok: false, problem: 'channel is not "github" (paper and email signatures belong under offline/)' };

  const { name, country, login, user_id, issue, signed_at, letter_sha256 } = fields;
  if (typeof name !== 'string') return { ok: false, problem: 'name is missing or not text' };
  const nameProblem = storedNameProblem(name);
  if (nameProblem) return { ok: false, problem: nameProblem };
  if (typeof country !== 'string' || !isCountryCode(country))
    return { ok: false, problem: 'country is not an ISO 3166-1 alpha-2 code' };
  if (typeof login !== 'string' || !LOGIN_PATTERN.test(login))
    return { ok: false, problem: 'login is not a GitHub login' };
  if (typeof user_id !== 'number' || !Number.isSafeInteger(user_id) || user_id <= 0)
    return { ok: false, problem: 'user_id is not a positive whole number' };
  if (user_id !== pathId) return { ok: false, problem: `user_id ${user_id} does not match the file name (${pathId})` };
  if (typeof issue !== 'number' || !Number.isSafeInteger(issue) || issue <= 0)
    return { ok: false, problem: 'issue is not a positive whole number' };
  if (typeof signed_at !== 'string' || !INSTANT_PATTERN.test(signed_at) || Number.isNaN(Date.parse(signed_at))) {
    return { ok: false, problem: 'signed_at is not a UTC time like 2026-11-23T19:00:00Z' };
  }
  const letterHash = letter_sha256 ?? '';
  if (typeof letterHash !== 'string' || !SHA256_PATTERN.test(letterHash))
    return { ok: false, problem: 'letter_sha256 is not a SHA-256 hex digest' };

  const reason = normaliseText(body);
  const reasonProblem = storedReasonProblem(reason);
  if (reasonProblem) return { ok: false, problem: reasonProblem };

  return {
    ok: true,
    record: {
      name,
      country: country,
      login,
      user_id,
      issue,
      signed_at,
      letter_sha256: letterHash,
      reason: detached(reason),
    },
  };
}

/** The fields a GitHub signature file may have. */
const GITHUB_FIELDS = new Set([
  'name',
  'country',
  'login',
  'user_id',
  'issue',
  'signed_at',
  'letter_sha256',
  'channel',
]);

const QUOTED = String.raw`("(?:[^"\\\x00-\x1f]|\\.)*")`;
const WHOLE = String.raw`(0|[1-9]\d{0,15})`;
/** Exactly what renderSignatureFile writes, up to the closing "---" of the front matter. */
const CANONICAL_FRONT_MATTER = new RegExp(
  `^---\\nname: ${QUOTED}\\ncountry: ${QUOTED}\\nlogin: ${QUOTED}\\nuser_id: ${WHOLE}\\nissue: ${WHOLE}\\n` +
    `signed_at: ${QUOTED}\\nletter_sha256: ${QUOTED}\\n---(?:\\n|$)`,
);

/**
 * A double-quoted scalar as JSON reads it. Even without escapes JSON.parse beats slicing: it
 * makes a new flat string, where a slice would keep the whole file's text alive and, as a view
 * into two-byte text, make every later comparison and sort slower.
 */
function quoted(literal: string): string {
  return JSON.parse(literal) as string;
}

/**
 * The fast path for exactly what renderSignatureFile writes: seven lines in order, strings
 * double-quoted, whole numbers bare. A YAML double-quoted scalar that JSON.parse accepts means
 * the same in both (JSON's escapes are a subset of YAML's, with the same meaning), so this reads
 * the same values as the YAML library, about ten times faster. Anything else returns undefined
 * and goes through the full YAML parser. One regular expression for the whole block.
 */
function parseCanonicalFrontMatter(text: string): { data: Record<string, unknown>; body: string } | undefined {
  const match = CANONICAL_FRONT_MATTER.exec(text);
  if (!match) return undefined;
  try {
    return {
      data: {
        name: quoted(match[1]!),
        country: quoted(match[2]!),
        login: quoted(match[3]!),
        user_id: Number(match[4]),
        issue: Number(match[5]),
        signed_at: quoted(match[6]!),
        letter_sha256: quoted(match[7]!),
      },
      body: text.slice(match[0].length),
    };
  } catch {
    return undefined;
  }
}

function storedNameProblem(name: string): string | undefined {
  if (name === '') return 'name is empty';
  const [first] = nameProblems(name);
  if (first) return describeTextProblem('name', first);
  // After the size check: NFC of a bounded text is cheap.
  if (name !== normaliseText(name)) return 'name is not trimmed NFC text';
  return undefined;
}

function storedReasonProblem(reason: string): string | undefined {
  const [first] = reasonProblems(reason);
  return first ? describeTextProblem('reason', first) : undefined;
}
