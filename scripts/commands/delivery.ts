/**
 * `npm run delivery`: builds the delivery packet for the signatures in the checkout, for one
 * moment: the letter (cover letter, the letter in each language, the tally) and the signatures in
 * volumes, as PDF and as printable HTML, with manifest.json and SHA256SUMS.
 *
 *   npm run delivery -- [--out DIR] [--volume-size N] [--as-of ISO-8601] [--commit SHA] [--threads N]
 *
 * Reads what the build reads: content/settings.json (or PETITION_SETTINGS), the letter
 * (content/letter.md and any content/letter.<language>.md) and the signatures folder (or
 * SIGNATURES_DIR), leaving out blocked accounts. The commit is `git rev-parse HEAD` unless given.
 * Prints no signer text: characters no font can draw are reported by code point and user id.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSettings, type Settings } from '../core/settings.ts';
import type { PetitionRecord } from '../core/offline-signature.ts';
import { loadFonts } from '../delivery/fonts.ts';
import { letterHtml, volumeHtml } from '../delivery/html.ts';
import {
  buildManifest,
  manifestFile,
  manifestText,
  sha256,
  sha256Sums,
  volumeFileDetails,
  type ManifestFile,
} from '../delivery/manifest.ts';
import { buildPacket, type PacketInput } from '../delivery/packet.ts';
import { loadLetterArchive } from '../store/letter-archive.ts';
import { parseLetterVersion, type LetterVersion } from '../core/letter.ts';
import { writeLetterPdf } from '../delivery/pdf.ts';
import { defaultThreads, renderVolumes } from '../delivery/render-volumes.ts';
import { blockedAccountIds, loadSignatures, signaturesDirectory } from '../store/load-signatures.ts';
import { inertLogText } from '../core/text.ts';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const USAGE =
  'usage: npm run delivery -- [--out DIR] [--volume-size N] [--as-of 2026-11-25T12:00:00Z] [--commit SHA] [--threads N]';

export interface DeliveryOptions {
  out: string;
  volumeSize?: number;
  asOf?: Date;
  commit?: string;
  threads?: number;
  /** The letter archive's versions (see PacketInput.archive). */
  archive?: PacketInput['archive'];
}

/** Parses the command line; throws with the usage on anything it does not know. */
export function parseDeliveryArguments(args: readonly string[], now: Date): DeliveryOptions {
  const options: DeliveryOptions = { out: '' };
  for (let i = 0; i < args.length; i += 1) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value.\n${USAGE}`);
      return v;
    };
    const whole = (v: string, min: number) => {
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isInteger(n) || n < min)
        throw new Error(`${flag} must be a whole number of at least ${min}.\n${USAGE}`);
      return n;
    };
    if (flag === '--out') options.out = value();
    else if (flag === '--volume-size') options.volumeSize = whole(value(), 1);
    else if (flag === '--threads') options.threads = whole(value(), 1);
    else if (flag === '--commit') options.commit = value();
    else if (flag === '--as-of') {
      const v = value();
      const date = new Date(v);
      if (Number.isNaN(date.getTime()))
        throw new Error(`--as-of must be a date and time such as 2026-11-25T12:00:00Z.\n${USAGE}`);
      options.asOf = date;
    } else throw new Error(`Unknown option ${flag}.\n${USAGE}`);
  }
  if (!options.out) options.out = path.join('delivery', (options.asOf ?? now).toISOString().slice(0, 10));
  return options;
}

/** The checkout's HEAD, or "" outside Git. */
function gitHead(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** Whether the signatures, the letter or the settings differ from the commit (a packet built then is not that commit's). */
function uncommittedChanges(root: string): string[] {
  try {
    return execFileSync(
      'git',
      ['status', '--porcelain', '--', 'signatures', 'content/letter.md', 'content/settings.json'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

/** content/letter.md, then its translations content/letter.<language>.md in name order. */
export async function readLetters(language: string, root = projectRoot): Promise<LetterVersion[]> {
  // A translation lives beside its language's other pages, content/<language>/letter.md, as the
  // site and the processor (which records its digest for that language's signers) expect.
  const folders = (await readdir(path.join(root, 'content'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory() && /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  const letters: LetterVersion[] = [
    parseLetterVersion(await readFile(path.join(root, 'content/letter.md'), 'utf8'), 'content/letter.md', language),
  ];
  for (const folder of folders) {
    const file = `content/${folder}/letter.md`;
    const text = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
    if (text !== undefined) letters.push(parseLetterVersion(text, file, folder));
  }
  return letters;
}

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Builds the packet into `options.out` from the checkout at `root` (this one unless a test names
 * another petition); returns the manifest, its SHA-256 and where it is.
 */
export async function deliver(options: DeliveryOptions, env: NodeJS.ProcessEnv = process.env, root = projectRoot) {
  const settingsPath = env.PETITION_SETTINGS
    ? path.resolve(root, env.PETITION_SETTINGS)
    : path.join(root, 'content/settings.json');
  const settings = resolveSettings(JSON.parse(await readFile(settingsPath, 'utf8')), env);
  const directory = signaturesDirectory(env, root);
  const { records, skipped } = await loadSignatures(directory, { blocked: blockedAccountIds(root) });
  // A file's path and problem may carry a stranger's text: one inert line each (issue #26).
  for (const { file, problem } of skipped)
    console.warn(inertLogText(`skipped ${path.join(directory, file)}: ${problem}`, 1000));
  const letters = await readLetters(settings.language, root);
  const commit = options.commit ?? gitHead(root);
  const dirty = options.commit ? [] : uncommittedChanges(root);
  if (dirty.length > 0)
    console.warn(
      `warning: ${dirty.length} uncommitted change(s) to the signatures, letter or settings: the packet is not commit ${commit}'s. Commit them, or build from a clean checkout of the tag.`,
    );
  const archive = (await loadLetterArchive(root)).versions;
  return writePacket(settings, records, letters, { ...options, commit, archive });
}

/**
 * Writes the packet for these signatures into `options.out` (emptied first): the PDFs, the HTML,
 * manifest.json and SHA256SUMS. The benchmark calls it with generated signatures.
 */
export async function writePacket(
  settings: Settings,
  records: readonly PetitionRecord[],
  letters: LetterVersion[],
  options: DeliveryOptions,
) {
  const started = performance.now();
  const { packet, volumes } = buildPacket({
    settings,
    records,
    letters,
    asOf: options.asOf ?? new Date(),
    commit: options.commit ?? '',
    volumeSize: options.volumeSize ?? settings.delivery_volume_size,
    ...(options.archive ? { archive: options.archive } : {}),
  });

  const out = path.resolve(options.out);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const files: ManifestFile[] = [];
  const fileOf = (number: number) => ({
    number,
    pdf: `${packet.volumes[number - 1]!.stem}.pdf`,
    html: `${packet.volumes[number - 1]!.stem}.html`,
  });

  const fonts = loadFonts();
  const letterMissing = await writeLetterPdf(path.join(out, 'letter.pdf'), packet, fonts);
  const volumeMissing = await renderVolumes(
    packet,
    volumes.map((volume) => ({ volume, file: path.join(out, fileOf(volume.number).pdf) })),
    options.threads ?? defaultThreads(volumes.length),
  );
  const pdfSeconds = (performance.now() - started) / 1000;

  const letterPage = letterHtml(
    packet,
    volumes.map((v) => fileOf(v.number)),
  );
  await writeFile(path.join(out, 'letter.html'), letterPage);
  files.push(
    manifestFile('letter.pdf', await readFile(path.join(out, 'letter.pdf')), {
      kind: 'letter',
      format: 'pdf',
      signature_count: 0,
    }),
  );
  files.push(
    manifestFile('letter.html', Buffer.from(letterPage), { kind: 'letter', format: 'html', signature_count: 0 }),
  );
  for (const volume of volumes) {
    const names = fileOf(volume.number);
    const summary = packet.volumes[volume.number - 1]!;
    const html = Buffer.from(volumeHtml(packet, volume, settings.language));
    await writeFile(path.join(out, names.html), html);
    files.push(manifestFile(names.html, html, volumeFileDetails(summary, 'html')));
    files.push(manifestFile(names.pdf, await readFile(path.join(out, names.pdf)), volumeFileDetails(summary, 'pdf')));
  }
  const manifest = buildManifest(packet, files);
  const text = manifestText(manifest);
  await writeFile(path.join(out, 'manifest.json'), text);
  const manifestSha256 = sha256(text);
  await writeFile(
    path.join(out, 'SHA256SUMS'),
    sha256Sums([...manifest.files, { path: 'manifest.json', sha256: manifestSha256 }]),
  );

  const missing = new Map(volumeMissing);
  for (const codePoint of letterMissing) if (!missing.has(codePoint)) missing.set(codePoint, []);
  return { out, manifest, manifestSha256, missing, pdfSeconds, seconds: (performance.now() - started) / 1000 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options: DeliveryOptions;
  try {
    options = parseDeliveryArguments(process.argv.slice(2), new Date());
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const result = await deliver(options);
  const { manifest } = result;
  console.log(`Delivery packet in ${path.relative(process.cwd(), result.out) || '.'}:`);
  console.log(
    `  signatures:  ${manifest.signature_count} in ${manifest.volume_count} volume(s) of at most ${manifest.volume_size}`,
  );
  console.log(`  as of:       ${manifest.as_of}`);
  console.log(`  commit:      ${manifest.commit || '(not a Git checkout)'}`);
  console.log(`  digest:      ${manifest.signatures_digest} (npm run tally prints the same)`);
  console.log(`  files:       ${manifest.files.length} + manifest.json + SHA256SUMS`);
  console.log(`  manifest.json SHA-256: ${result.manifestSha256}`);
  console.log(`  time:        ${result.seconds.toFixed(1)} s (PDFs ${result.pdfSeconds.toFixed(1)} s)`);
  if (result.missing.size > 0) {
    console.warn(
      `warning: ${result.missing.size} character(s) that no shipped font can draw (they print as empty boxes):`,
    );
    for (const [codePoint, ids] of result.missing)
      console.warn(
        `  ${hex(codePoint)}${ids.length ? ` in the name of user id ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ` and ${ids.length - 10} more` : ''}` : ' in the letter'}`,
      );
    process.exitCode = 1;
  }
}
