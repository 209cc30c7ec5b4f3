/**
 * `npm run delivery` end to end, on generated signatures in a temporary folder and a fork's
 * settings: the files are what the manifest says, the counts are what `npm run tally` (and so
 * data/tally.json) says, the same commit and moment give the same bytes, and the command prints
 * no signer text.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { signatureDigest } from '../../scripts/core/tally.ts';
import { checkManifest, sha256, type DeliveryManifest } from '../../scripts/delivery/manifest.ts';
import { deliver, parseDeliveryArguments } from '../../scripts/commands/delivery.ts';
import { writeSignatureFiles } from '../../scripts/tooling/write-sample-signatures.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { baseSettings } from '../helpers/site.ts';

/** The petition delivered: the amur-leopard fixture (its letters, settings and blocked accounts), not content/. */
const leopard = await petitionProject('amur-leopard');

const run = promisify(execFile);
const COUNT = 801; // two full volumes of 400 and one of a single signature
const VOLUME = 400;
const AS_OF = '2026-11-25T12:00:00.000Z';
const records = generateSampleRecords(COUNT, { seed: 21 });

let work: string;
let env: NodeJS.ProcessEnv;
let manifest: DeliveryManifest;
let out: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'petition-delivery-'));
  await writeSignatureFiles(path.join(work, 'signatures'), records);
  const settingsPath = path.join(work, 'settings.json');
  await writeFile(
    settingsPath,
    JSON.stringify({
      ...baseSettings,
      title: 'Save the Amur Tiger',
      repository: 'greenpeace-ru/save-tigers',
      sender: 'Friends of the Tiger',
      contact: 'letters@tigers.example.org',
    }),
  );
  env = { ...process.env, SIGNATURES_DIR: path.join(work, 'signatures'), PETITION_SETTINGS: settingsPath };
  out = path.join(work, 'packet');
  const result = await deliver(
    { out, volumeSize: VOLUME, asOf: new Date(AS_OF), commit: 'a'.repeat(40), threads: 1 },
    env,
    leopard,
  );
  manifest = result.manifest;
  expect(result.missing.size).toBe(0);
  expect(result.manifestSha256).toBe(sha256(await readFile(path.join(out, 'manifest.json'))));
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the delivery packet', () => {
  it('holds the letter and three volumes, as PDF and HTML, with the manifest and SHA256SUMS', async () => {
    expect((await readdir(out)).sort()).toEqual([
      'SHA256SUMS',
      'letter.html',
      'letter.pdf',
      'manifest.json',
      'volume-01.html',
      'volume-01.pdf',
      'volume-02.html',
      'volume-02.pdf',
      'volume-03.html',
      'volume-03.pdf',
    ]);
  });

  it('has a manifest whose hashes match the files and whose volumes add up to the count', async () => {
    const bytes = new Map<string, Buffer>();
    for (const name of await readdir(out)) bytes.set(name, await readFile(path.join(out, name)));
    expect(checkManifest(manifest, (name) => bytes.get(name))).toEqual([]);
    const sums = bytes.get('SHA256SUMS')!.toString('utf8').trimEnd().split('\n');
    expect(sums).toHaveLength(bytes.size - 1);
    for (const line of sums) {
      const [hash, name] = line.split('  ') as [string, string];
      expect(sha256(bytes.get(name)!), name).toBe(hash);
    }
    const pdfs = manifest.files.filter((f) => f.kind === 'volume' && f.format === 'pdf');
    expect(pdfs.map((f) => [f.path, f.signature_count, f.first_rank, f.last_rank])).toEqual([
      ['volume-01.pdf', 400, 1, 400],
      ['volume-02.pdf', 400, 401, 800],
      ['volume-03.pdf', 1, 801, 801],
    ]);
  });

  it('counts what npm run tally counts, with the same digest (that of data/tally.json)', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/commands/tally.ts', '--json'], {
      cwd: leopard,
      env,
    });
    const tally = JSON.parse(stdout) as { signature_count: number; digest: string };
    expect(manifest.signature_count).toBe(tally.signature_count);
    expect(manifest.signature_count).toBe(COUNT);
    expect(manifest.signatures_digest).toBe(tally.digest);
    expect(manifest.signatures_digest).toBe(signatureDigest(records));
  });

  it("follows the fork's settings in the PDFs and the cover letter", async () => {
    const pdf = (await readFile(path.join(out, 'letter.pdf'))).toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    // The document information (/Author): the sender, as an ASCII string object.
    expect(pdf).toContain('\n(Friends of the Tiger)\n');
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Regular/);
    const html = await readFile(path.join(out, 'letter.html'), 'utf8');
    expect(html).toContain('letters@tigers.example.org');
    expect(html).toContain('https://github.com/greenpeace-ru/save-tigers');
    expect(html).not.toContain('petition-as-code');
    expect(html).toContain('Both recipients have since left office');
  });

  it('embeds only subsets of the fonts in a volume, so a volume stays small', async () => {
    const pdf = await readFile(path.join(out, 'volume-01.pdf'));
    const text = pdf.toString('latin1');
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansHans-Regular/);
    expect(text).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoNaskhArabic/);
    expect(Number(/\/Type \/Pages\s*\/Count (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(7);
    expect(pdf.byteLength).toBeLessThan(400 * 1024);
  });

  it('escapes signer text in the HTML volumes', async () => {
    const html = await readFile(path.join(out, 'volume-01.html'), 'utf8');
    expect(html.match(/<tr><td>/g)).toHaveLength(400);
    expect(html).toContain('<base href="https://github.com/greenpeace-ru/save-tigers/issues/">');
    expect(html).toContain('D&#39;Arcy');
  });

  it('comes out byte for byte the same from the command line, on two threads, and prints no signer text', async () => {
    const again = path.join(work, 'again');
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/commands/delivery.ts',
        '--out',
        again,
        `--volume-size=${VOLUME}`,
        '--as-of',
        AS_OF,
        '--commit',
        'a'.repeat(40),
        '--threads',
        '2',
      ],
      { cwd: leopard, env },
    );
    expect(await readFile(path.join(again, 'SHA256SUMS'), 'utf8')).toBe(
      await readFile(path.join(out, 'SHA256SUMS'), 'utf8'),
    );
    expect(stdout).toContain(`manifest.json SHA-256: ${sha256(await readFile(path.join(out, 'manifest.json')))}`);
    for (const record of records.slice(0, 50)) expect(`${stdout}${stderr}`).not.toContain(record.name);
  }, 120_000);
});

describe('the command line', () => {
  const now = new Date('2026-12-01T09:00:00Z');
  it('defaults the folder to delivery/<date> and reads every option', () => {
    expect(parseDeliveryArguments([], now)).toEqual({ out: path.join('delivery', '2026-12-01') });
    expect(
      parseDeliveryArguments(
        ['--out=x', '--volume-size', '10_000', '--as-of', '2026-11-30T00:00:00Z', '--threads', '1'],
        now,
      ),
    ).toEqual({ out: 'x', volumeSize: 10000, asOf: new Date('2026-11-30T00:00:00Z'), threads: 1 });
  });

  it('refuses what it does not know, with the usage', () => {
    expect(() => parseDeliveryArguments(['--volumes', '3'], now)).toThrowError(/Unknown option --volumes\.\nusage/);
    expect(() => parseDeliveryArguments(['--volume-size', '0'], now)).toThrowError(/at least 1/);
    expect(() => parseDeliveryArguments(['--as-of', 'yesterday'], now)).toThrowError(/--as-of must be a date/);
  });
});
