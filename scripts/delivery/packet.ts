/**
 * What a delivery packet says, as data: the cover letter, the letter in each language, the tally
 * and the volumes. The PDF and the HTML are two renderings of this one value, so they cannot say
 * different things. Pure: the entry point (scripts/commands/delivery.ts) reads the files and the clock.
 */
import type { Settings } from '../core/settings.ts';
import { channelOf as channelKey, type PetitionRecord } from '../core/offline-signature.ts';
import { computeTally, type Tally } from '../core/tally.ts';
import { formatDate, formatNumber, plural } from '../core/format.ts';
import { addresseesOf, historicalNote, type Addressee, type LetterVersion } from '../core/letter.ts';
import { splitIntoVolumes, volumeStem, type Volume } from './volumes.ts';

export interface VolumeSummary {
  number: number;
  stem: string;
  firstRank: number;
  lastRank: number;
  signatureCount: number;
  digest: string;
}

export interface Packet {
  title: string;
  repository: string;
  repositoryUrl: string;
  siteUrl: string;
  /** The moment the packet stands for (ISO 8601) and the day as printed. */
  asOf: string;
  date: string;
  /** The commit the packet was built from, or "" outside a Git checkout. */
  commit: string;
  sender: string;
  contact: string;
  addressees: Addressee[];
  /** The historical note: when the letter was written and that its recipients have left office. */
  note: string;
  /** The cover letter's paragraphs, after the addressees. */
  cover: string[];
  letters: LetterVersion[];
  tally: Tally;
  /** Signatures by how they were given; shown only when there is more than one channel. */
  channels: { name: string; signature_count: number }[];
  /** Signatures by the letter version they signed (letter_sha256), most first. */
  letterVersions: { sha256: string; signature_count: number; file: string }[];
  volumeSize: number;
  volumes: VolumeSummary[];
}

/** How a signature was given, in the words of the tally's "by channel" table. */
export function channelOf(record: PetitionRecord): string {
  return { github: 'GitHub issue form', paper: 'paper', email: 'email' }[channelKey(record)];
}

export interface PacketInput {
  settings: Settings;
  records: readonly PetitionRecord[];
  /** The letter first (content/letter.md), then its translations. */
  letters: LetterVersion[];
  asOf: Date;
  commit: string;
  volumeSize: number;
  /**
   * The letter archive's versions (content/letter-versions/), so that a signature of an older
   * version, or carrying a version's former digest, is listed with the file that holds its text.
   */
  archive?: readonly { sha256: string; legacySha256?: string; file: string }[];
}

/** Builds the packet for a moment: everything the PDF, the HTML and the manifest show. */
export function buildPacket({ settings, records, letters, asOf, commit, volumeSize, archive = [] }: PacketInput): {
  packet: Packet;
  volumes: Volume[];
} {
  const letter = letters[0];
  if (!letter) throw new Error('A delivery needs the letter (content/letter.md).');
  const tally = computeTally(records, settings, asOf);
  const volumes = splitIntoVolumes(records, volumeSize);
  const addressees = addresseesOf(letter, settings);
  const repositoryUrl = `https://github.com/${settings.repository}`;
  const date = formatDate(asOf);
  const count = tally.signature_count;

  const channelCounts = new Map<string, number>();
  const versionCounts = new Map<string, number>();
  for (const record of records) {
    const channel = channelOf(record);
    channelCounts.set(channel, (channelCounts.get(channel) ?? 0) + 1);
    versionCounts.set(record.letter_sha256, (versionCounts.get(record.letter_sha256) ?? 0) + 1);
  }
  const fileOf = new Map<string, string>();
  for (const version of archive) {
    fileOf.set(version.sha256, version.file);
    if (version.legacySha256) fileOf.set(version.legacySha256, version.file);
  }
  for (const l of letters) fileOf.set(l.sha256, l.file);

  const cover = [
    count === 0
      ? `We enclose the open letter “${settings.title}”. As of ${date} it has no signatures yet.`
      : `We enclose the open letter “${settings.title}” and the ${plural(count, 'signature')} it has gathered from ${plural(tally.country_count, 'country or territory', 'countries and territories')}, as of ${date}.`,
    `Every signature was given by its signer through a GitHub issue and is kept as a public file in the repository ${repositoryUrl}. ` +
      (volumes.length > 0
        ? `The names follow in ${plural(volumes.length, 'volume')} of at most ${formatNumber(volumeSize)}, oldest first; the signers' reasons are in the published open data.`
        : ''),
    `The enclosed manifest gives the SHA-256 digest of every file in this packet and of the signatures it lists${commit ? `, and the commit ${commit} they were counted from` : ''}, so that anyone can recount them from the repository and check that nothing was added or left out.`,
    `To reach us: ${settings.contact}.`,
  ].filter(Boolean);

  return {
    volumes,
    packet: {
      title: settings.title,
      repository: settings.repository,
      repositoryUrl,
      siteUrl: `${settings.site_url}${settings.path_prefix}`,
      asOf: asOf.toISOString(),
      date,
      commit,
      sender: settings.sender,
      contact: settings.contact,
      addressees,
      note: historicalNote(letter, addressees),
      cover,
      letters,
      tally,
      channels: [...channelCounts]
        .map(([name, signature_count]) => ({ name, signature_count }))
        .sort((a, b) => b.signature_count - a.signature_count),
      letterVersions: [...versionCounts]
        .map(([sha256, signature_count]) => ({ sha256, signature_count, file: fileOf.get(sha256) ?? '' }))
        .sort((a, b) => b.signature_count - a.signature_count || (a.sha256 < b.sha256 ? -1 : 1)),
      volumeSize,
      volumes: volumes.map((v) => ({
        number: v.number,
        stem: volumeStem(v.number, volumes.length),
        firstRank: v.firstRank,
        lastRank: v.lastRank,
        signatureCount: v.records.length,
        digest: v.digest,
      })),
    },
  };
}
