/**
 * The delivery manifest: what a packet holds, in a form anyone can check later. For each file its
 * SHA-256 and size, and for each volume the number and digest of the signatures it lists; for the
 * packet the commit it was built from, the letter versions it includes and the tally's digest,
 * which `npm run tally` at that commit reproduces. Pure: hashing bytes is not I/O.
 */
import { createHash } from 'node:crypto';
import { DIGEST_DESCRIPTION } from '../core/tally.ts';
import type { Packet } from './packet.ts';

export const MANIFEST_FORMAT = 'petition-delivery/1';

export interface ManifestFile {
  /** Path relative to the packet folder, "/" separated. */
  path: string;
  /** What it is: the letter (cover, letter, tally), a volume of signatures, or the HTML index. */
  kind: 'letter' | 'volume' | 'index';
  format: 'pdf' | 'html';
  bytes: number;
  sha256: string;
  /** Signatures the file lists (0 for the letter and the index). */
  signature_count: number;
  /** For a volume: its number, the ranks it spans and the digest of its signatures. */
  volume?: number;
  first_rank?: number;
  last_rank?: number;
  signatures_digest?: string;
}

export interface DeliveryManifest {
  format: typeof MANIFEST_FORMAT;
  title: string;
  repository: string;
  /** The commit the signatures were counted from; "" if the packet was built outside Git. */
  commit: string;
  as_of: string;
  signature_count: number;
  country_count: number;
  /** The tally's digest over every signature (data/tally.json's digest.value at that commit). */
  signatures_digest: string;
  digest_description: string;
  letters: { file: string; language: string; sha256: string }[];
  signatures_by_letter_version: { letter_sha256: string; signature_count: number; file: string }[];
  volume_size: number;
  volume_count: number;
  files: ManifestFile[];
  /** How to check it. */
  verify: string[];
}

/** SHA-256 of bytes, hex. */
export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A manifest entry for a file's bytes. */
export function manifestFile(
  path: string,
  bytes: Uint8Array,
  details: Omit<ManifestFile, 'path' | 'bytes' | 'sha256'>,
): ManifestFile {
  return { path, bytes: bytes.byteLength, sha256: sha256(bytes), ...details };
}

/** Entries for a volume's PDF or HTML. */
export function volumeFileDetails(
  volume: Packet['volumes'][number],
  format: 'pdf' | 'html',
): Omit<ManifestFile, 'path' | 'bytes' | 'sha256'> {
  return {
    kind: 'volume',
    format,
    signature_count: volume.signatureCount,
    volume: volume.number,
    first_rank: volume.firstRank,
    last_rank: volume.lastRank,
    signatures_digest: volume.digest,
  };
}

/** The manifest of a packet whose files are `files`, sorted by path so it reads the same every time. */
export function buildManifest(packet: Packet, files: readonly ManifestFile[]): DeliveryManifest {
  const at = packet.commit || '<commit>';
  return {
    format: MANIFEST_FORMAT,
    title: packet.title,
    repository: packet.repository,
    commit: packet.commit,
    as_of: packet.asOf,
    signature_count: packet.tally.signature_count,
    country_count: packet.tally.country_count,
    signatures_digest: packet.tally.digest.value,
    digest_description: DIGEST_DESCRIPTION,
    letters: packet.letters.map((l) => ({ file: l.file, language: l.language, sha256: l.sha256 })),
    signatures_by_letter_version: packet.letterVersions.map((v) => ({
      letter_sha256: v.sha256,
      signature_count: v.signature_count,
      file: v.file,
    })),
    volume_size: packet.volumeSize,
    volume_count: packet.volumes.length,
    files: [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    verify: [
      'sha256sum -c SHA256SUMS   (in the packet folder: every file is as delivered)',
      `git checkout ${at} && npm ci && npm run tally   (prints signature_count and signatures_digest)`,
      `npm run delivery -- --as-of ${packet.asOf}   (at ${at}: rebuilds the same files, byte for byte)`,
    ],
  };
}

/** The manifest as written to manifest.json: two-space JSON and a final newline. */
export function manifestText(manifest: DeliveryManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** A SHA256SUMS file in the format `sha256sum -c` reads, manifest.json included. */
export function sha256Sums(entries: readonly { path: string; sha256: string }[]): string {
  return entries.map((entry) => `${entry.sha256}  ${entry.path}\n`).join('');
}

export interface ManifestProblem {
  path: string;
  problem: string;
}

/**
 * Checks a packet folder's files against its manifest: every file listed is there with the same
 * hash and size, the volumes' counts add up to the total, and no volume overlaps another.
 * `read` returns a file's bytes, or undefined if it is missing.
 */
export function checkManifest(
  manifest: DeliveryManifest,
  read: (path: string) => Uint8Array | undefined,
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  for (const file of manifest.files) {
    const bytes = read(file.path);
    if (!bytes) problems.push({ path: file.path, problem: 'missing' });
    else if (bytes.byteLength !== file.bytes || sha256(bytes) !== file.sha256)
      problems.push({ path: file.path, problem: 'differs from the manifest (SHA-256 or size)' });
  }
  for (const format of ['pdf', 'html'] as const) {
    const volumes = manifest.files.filter((f) => f.kind === 'volume' && f.format === format);
    // The PDF volumes must hold every signature; the HTML copies may be left out of a packet.
    if (volumes.length === 0 && (format === 'html' || manifest.signature_count === 0)) continue;
    const total = volumes.reduce((sum, f) => sum + f.signature_count, 0);
    if (total !== manifest.signature_count)
      problems.push({
        path: `*.${format}`,
        problem: `the volumes list ${total} signatures, the manifest counts ${manifest.signature_count}`,
      });
    let next = 1;
    for (const f of [...volumes].sort((a, b) => (a.first_rank ?? 0) - (b.first_rank ?? 0))) {
      if (f.first_rank !== next || f.last_rank !== next + f.signature_count - 1)
        problems.push({
          path: f.path,
          problem: `ranks ${f.first_rank}–${f.last_rank} do not follow on from ${next - 1}`,
        });
      next = (f.last_rank ?? next) + 1;
    }
  }
  return problems;
}
