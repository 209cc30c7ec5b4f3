/**
 * What a delivery packet says, as data: the cover letter, the letter in each language, the tally
 * and the volumes. The PDF and the HTML are two renderings of this one value, so they cannot say
 * different things. Pure: the entry point (scripts/delivery.ts) reads the files and the clock.
 */
import matter from 'gray-matter';
import type { Settings } from '../core/settings.ts';
import { channelOf as channelKey, type PetitionRecord } from '../core/offline-signature.ts';
import { computeTally, letterDigest, type Tally } from '../core/tally.ts';
import { formatDate, formatNumber, plural } from '../site/filters.ts';
import { splitIntoVolumes, volumeStem, type Volume } from './volumes.ts';

/** One language version of the letter, from content/letter.md or content/<language>/letter.md. */
export interface LetterVersion {
  /** Path in the repository, e.g. "content/letter.md". */
  file: string;
  language: string;
  title: string;
  /** When the text was written ("about 2008–2012"); empty for a new letter. */
  written: string;
  recipients: { office: string; name: string }[];
  /** The letter's own paragraphs, plain text (Markdown emphasis removed, links as "text (url)"). */
  paragraphs: string[];
  demands: string[];
  closing: string[];
  /** letterDigest of the file: the letter_sha256 a signer who read this version carries. */
  sha256: string;
}

/** Markdown (our own letter, never signer text) to plain paragraphs for the PDF. */
export function plainParagraphs(markdownText: string): string[] {
  return markdownText
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) =>
      block
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '$1 ($2)')
        .replace(/(\*\*|__|\*|_)(\S(?:.*?\S)?)\1/g, '$2')
        .replace(/^#+\s*/, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * Reads one letter file's text. `fallbackLanguage` is the site's language, for content/letter.md;
 * a translation says its own (`language:` in its front matter, or its file name).
 */
export function parseLetterVersion(text: string, file: string, fallbackLanguage: string): LetterVersion {
  const { data, content } = matter(text, {});
  const recipients = Array.isArray(data.recipients) ? (data.recipients as { office: string; name: string }[]) : [];
  const demands = Array.isArray(data.demands) ? (data.demands as unknown[]).map(String) : [];
  if (recipients.length === 0 || demands.length === 0)
    throw new Error(`${file} needs "recipients" and "demands" in its front matter.`);
  const fromName = /(?:^|\/)content\/([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\/letter\.md$/.exec(file)?.[1];
  return {
    file,
    language: String(data.language ?? fromName ?? fallbackLanguage),
    title: String(data.title ?? 'The letter'),
    written: data.written ? String(data.written) : '',
    recipients: recipients.map((r) => ({ office: String(r.office), name: String(r.name) })),
    paragraphs: plainParagraphs(content),
    demands,
    closing: plainParagraphs(String(data.closing ?? '')),
    sha256: letterDigest(text),
  };
}

/** The letter's recipients with what has become of their offices, from settings.offices_now (matched by office). */
export function addresseesOf(
  letter: Pick<LetterVersion, 'recipients'>,
  settings: Pick<Settings, 'offices_now'>,
): Addressee[] {
  const offices = new Map(settings.offices_now.map((office) => [office.office, office]));
  return letter.recipients.map((r) => ({
    office: r.office,
    named: r.name,
    left: offices.get(r.office)?.recipient_left ?? '',
    holder: offices.get(r.office)?.holder ?? '',
  }));
}

/** One addressee as the cover letter lists it: the office, whom the letter names, and now. */
export interface Addressee {
  office: string;
  /** The person the letter names. */
  named: string;
  /** When they left the office, if they have. */
  left: string;
  /** Who holds it now, if the campaigner named them. */
  holder: string;
}

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

function joinNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The historical note, in print as on the web: when the letter was written, and which of the
 * people it names have left their offices since, with when (from settings.offices_now).
 */
export function historicalNote(letter: Pick<LetterVersion, 'written'>, addressees: readonly Addressee[]): string {
  const parts: string[] = [];
  if (letter.written)
    parts.push(
      `This letter was written ${letter.written} and is delivered as written, so that each signature stays attached to the text its signer read.`,
    );
  const left = addressees.filter((a) => a.left);
  if (left.length > 0) {
    const all = left.length === addressees.length;
    const subject = all
      ? left.length === 1
        ? 'Its recipient has'
        : left.length === 2
          ? 'Both recipients have'
          : `All ${left.length} recipients have`
      : `${joinNames(left.map((a) => a.named))} ${left.length === 1 ? 'has' : 'have'}`;
    const detail = joinNames(left.map((a) => `${a.named} as ${a.office} in ${a.left}`));
    parts.push(
      `${subject} since left office (${detail}): it is delivered to the offices it names and to those who hold them today.`,
    );
  }
  return parts.join(' ');
}

export interface PacketInput {
  settings: Settings;
  records: readonly PetitionRecord[];
  /** The letter first (content/letter.md), then its translations. */
  letters: LetterVersion[];
  asOf: Date;
  commit: string;
  volumeSize: number;
}

/** Builds the packet for a moment: everything the PDF, the HTML and the manifest show. */
export function buildPacket({ settings, records, letters, asOf, commit, volumeSize }: PacketInput): {
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
  const fileOf = new Map(letters.map((l) => [l.sha256, l.file]));

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
