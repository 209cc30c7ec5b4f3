/** The pure parts of a delivery: volumes, the cover letter's content and the manifest. */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { signatureDigest } from '../../scripts/core/tally.ts';
import {
  buildManifest,
  checkManifest,
  manifestFile,
  manifestText,
  sha256,
  sha256Sums,
  volumeFileDetails,
} from '../../scripts/delivery/manifest.ts';
import { buildPacket } from '../../scripts/delivery/packet.ts';
import { historicalNote, holderNow, parseLetterVersion, plainParagraphs } from '../../scripts/core/letter.ts';
import { formatDate } from '../../scripts/core/format.ts';
import { oldestFirst, splitIntoVolumes, volumeStem } from '../../scripts/delivery/volumes.ts';
import { newestFirst } from '../../scripts/core/tally.ts';
import { readPublishedDeliveries } from '../../scripts/site/site-data.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';

const letterText = await readFile(path.join(fixturePetitionDir('amur-leopard'), 'content/letter.md'), 'utf8');
const letter = parseLetterVersion(letterText, 'content/letter.md', 'en');
const base = {
  title: 'Save the Amur Leopard',
  goal: 10,
  state: 'open',
  closing_date: '2027-06-30',
  repository: 'owner/repo',
  site_url: 'https://owner.github.io',
  path_prefix: '/repo/',
};
const asOf = new Date('2026-11-25T12:00:00Z');

describe('splitting signatures into volumes', () => {
  const size = 10;
  const volumesOf = (count: number) => splitIntoVolumes(generateSampleRecords(count, { seed: 11 }), size);

  it('makes no volume when nobody has signed', () => {
    expect(volumesOf(0)).toEqual([]);
  });

  it('makes one volume of one signature for the first signer', () => {
    const [only, ...rest] = volumesOf(1);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ number: 1, firstRank: 1, lastRank: 1 });
    expect(only!.records).toHaveLength(1);
  });

  it('fills exactly one volume at exactly the volume size, and starts a second at one more', () => {
    expect(volumesOf(size).map((v) => [v.number, v.firstRank, v.lastRank, v.records.length])).toEqual([[1, 1, 10, 10]]);
    expect(volumesOf(size + 1).map((v) => [v.number, v.firstRank, v.lastRank, v.records.length])).toEqual([
      [1, 1, 10, 10],
      [2, 11, 11, 1],
    ]);
  });

  it('puts every signature in exactly one volume, oldest first, in the ranks of the full list', () => {
    const records = generateSampleRecords(95, { seed: 12 });
    const volumes = splitIntoVolumes(records, size);
    const listed = volumes.flatMap((v) => v.records);
    expect(listed).toEqual(oldestFirst(records));
    expect(listed).toEqual(newestFirst(records).reverse());
    expect(new Set(listed.map((r) => ('user_id' in r ? r.user_id : r.id))).size).toBe(95);
    for (const volume of volumes) expect(volume.digest).toBe(signatureDigest(volume.records));
  });

  it('names volume files so that they sort in order', () => {
    expect(volumeStem(3, 12)).toBe('volume-03');
    expect(volumeStem(7, 150)).toBe('volume-007');
    expect(() => splitIntoVolumes([], 0)).toThrowError(/whole number from 1/);
  });
});

describe('the cover letter', () => {
  it('carries the historical note: when the letter was written and that both recipients have left office', () => {
    const settings = resolveSettings(JSON.parse(letterSettings()));
    const { packet } = buildPacket({ settings, records: [], letters: [letter], asOf, commit: '', volumeSize: 10 });
    expect(packet.note).toContain('written about 2008–2012');
    expect(packet.note).toContain('Both recipients have since left office');
    expect(packet.note).toContain('Vladimir Putin as Prime Minister of the Russian Federation in May 2012');
    expect(packet.note).toContain('Wen Jiabao as Premier');
    expect(packet.cover[0]).toBe(
      'We enclose the open letter “Save the Amur Leopard”. As of 25 November 2026 it has no signatures yet.',
    );
  });

  it('names only those who left, and no note at all for a new letter to people in office', () => {
    const addressees = [
      { office: 'Minister A', named: 'Ann', left: 'May 2020', holder: 'Bea', holderAsOf: '2026-01-05', holderIn: {} },
      { office: 'Minister B', named: 'Cid', left: '', holder: '', holderAsOf: '', holderIn: {} },
    ];
    expect(historicalNote({ written: '' }, addressees)).toBe(
      'Ann has since left office (Ann as Minister A in May 2020): it is delivered to the offices it names and to those who hold them today.',
    );
    expect(historicalNote({ written: '' }, [addressees[1]!])).toBe('');
  });

  it("follows a fork's settings: its sender, contact, officeholders and repository", () => {
    const settings = resolveSettings({
      ...base,
      title: 'Save the Amur Tiger',
      repository: 'greenpeace-ru/save-tigers',
      sender: 'Friends of the Tiger',
      contact: 'letters@tigers.example.org',
      offices_now: [
        {
          office: 'Prime Minister of the Russian Federation',
          recipient_left: 'May 2012',
          holder: 'A. Holder',
          holder_as_of: '2026-11-01',
        },
      ],
    });
    const records = generateSampleRecords(3, { seed: 2 });
    const { packet } = buildPacket({ settings, records, letters: [letter], asOf, commit: 'c0ffee', volumeSize: 10 });
    expect(packet).toMatchObject({
      title: 'Save the Amur Tiger',
      sender: 'Friends of the Tiger',
      contact: 'letters@tigers.example.org',
      repositoryUrl: 'https://github.com/greenpeace-ru/save-tigers',
      date: '25 November 2026',
    });
    expect(packet.addressees).toEqual([
      {
        office: 'Prime Minister of the Russian Federation',
        named: 'Vladimir Putin',
        left: 'May 2012',
        holder: 'A. Holder',
        holderAsOf: '2026-11-01',
        holderIn: {},
      },
      {
        office: "Premier of the State Council of the People's Republic of China",
        named: 'Wen Jiabao',
        left: '',
        holder: '',
        holderAsOf: '',
        holderIn: {},
      },
    ]);
    expect(holderNow(packet.addressees[0]!, formatDate)).toBe('today (as of 1 November 2026): A. Holder');
    expect(holderNow(packet.addressees[1]!, formatDate)).toBe('');
    expect(packet.note).toContain('Vladimir Putin has since left office');
    expect(packet.cover.join(' ')).toContain('To reach us: letters@tigers.example.org.');
    expect(packet.cover.join(' ')).toContain('the commit c0ffee they were counted from');
    expect(JSON.stringify(packet)).not.toContain('petition-as-code');
  });

  it('reads the letter as plain paragraphs, links written out', () => {
    expect(plainParagraphs('One *two*\nthree.\n\nSee [the site](https://example.org).')).toEqual([
      'One two three.',
      'See the site (https://example.org).',
    ]);
    expect(letter.paragraphs[0]).toMatch(/^We are desperately asking/);
    expect(letter.demands).toHaveLength(3);
  });
});

describe('the manifest', () => {
  const settings = resolveSettings(base);
  const records = generateSampleRecords(25, { seed: 5 });
  const { packet, volumes } = buildPacket({
    settings,
    records,
    letters: [letter],
    asOf,
    commit: 'abc',
    volumeSize: 10,
  });
  const bytes = new Map<string, Uint8Array>([
    ['letter.pdf', Buffer.from('%PDF letter')],
    ...volumes.map((v) => [`${volumeStem(v.number, volumes.length)}.pdf`, Buffer.from(`%PDF ${v.number}`)] as const),
  ]);
  const files = [...bytes].map(([name, content], i) =>
    i === 0
      ? manifestFile(name, content, { kind: 'letter', format: 'pdf', signature_count: 0 })
      : manifestFile(name, content, volumeFileDetails(packet.volumes[i - 1]!, 'pdf')),
  );
  const manifest = buildManifest(packet, files);

  it('records the commit, the moment, the count and digest of the tally and of each volume', () => {
    expect(manifest).toMatchObject({
      format: 'petition-delivery/1',
      commit: 'abc',
      as_of: '2026-11-25T12:00:00.000Z',
      signature_count: 25,
      signatures_digest: signatureDigest(records),
      volume_size: 10,
      volume_count: 3,
      letters: [{ file: 'content/letter.md', language: 'en', sha256: letter.sha256 }],
    });
    expect(manifest.files.map((f) => [f.path, f.signature_count, f.first_rank, f.last_rank])).toEqual([
      ['letter.pdf', 0, undefined, undefined],
      ['volume-01.pdf', 10, 1, 10],
      ['volume-02.pdf', 10, 11, 20],
      ['volume-03.pdf', 5, 21, 25],
    ]);
    expect(manifest.files[3]!.signatures_digest).toBe(signatureDigest(volumes[2]!.records));
    expect(manifest.verify.join('\n')).toContain('git checkout abc && npm ci && npm run tally');
  });

  it('passes its own check, and fails one of a changed, missing or renumbered file', () => {
    expect(checkManifest(manifest, (name) => bytes.get(name))).toEqual([]);
    const changed = new Map(bytes).set('volume-02.pdf', Buffer.from('%PDF 2 (edited)'));
    expect(checkManifest(manifest, (name) => changed.get(name))).toEqual([
      { path: 'volume-02.pdf', problem: 'differs from the manifest (SHA-256 or size)' },
    ]);
    expect(checkManifest(manifest, (name) => (name === 'volume-03.pdf' ? undefined : bytes.get(name)))).toEqual([
      { path: 'volume-03.pdf', problem: 'missing' },
    ]);
    const dropped = { ...manifest, files: manifest.files.filter((f) => f.path !== 'volume-02.pdf') };
    expect(checkManifest(dropped, (name) => bytes.get(name)).map((p) => p.problem)).toEqual([
      'the volumes list 15 signatures, the manifest counts 25',
      'ranks 21–25 do not follow on from 10',
    ]);
  });

  it('writes SHA256SUMS as sha256sum -c reads it', () => {
    expect(sha256Sums(manifest.files.slice(0, 1))).toBe(`${manifest.files[0]!.sha256}  letter.pdf\n`);
  });
});

/** The amur-leopard petition's settings as they are, for its cover letter. */
function letterSettings(): string {
  return JSON.stringify({ ...base, offices_now: realOffices() });
}
function realOffices() {
  return JSON.parse(readFileSync(path.join(fixturePetitionDir('amur-leopard'), 'content/settings.json'), 'utf8'))
    .offices_now;
}

describe('deliveries published on the site', () => {
  it('list each committed manifest with the SHA-256 of its file, newest first, and refuse anything else', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'petition-deliveries-'));
    try {
      expect(await readPublishedDeliveries(path.join(folder, 'none'))).toEqual([]);
      const settings = resolveSettings(base);
      const records = generateSampleRecords(3, { seed: 1 });
      const older = buildManifest(
        buildPacket({ settings, records, letters: [letter], asOf, commit: 'c1', volumeSize: 10 }).packet,
        [],
      );
      const newer = { ...older, as_of: '2027-01-10T00:00:00.000Z', commit: 'c2' };
      await writeFile(path.join(folder, '2026-11-25.json'), manifestText(older));
      await writeFile(path.join(folder, '2027-01-10.json'), manifestText(newer));
      const listed = await readPublishedDeliveries(folder);
      expect(listed.map((d) => [d.file, d.commit, d.signature_count, d.url])).toEqual([
        ['2027-01-10.json', 'c2', 3, '/deliveries/2027-01-10.json'],
        ['2026-11-25.json', 'c1', 3, '/deliveries/2026-11-25.json'],
      ]);
      expect(listed[1]!.sha256).toBe(sha256(manifestText(older)));
      await writeFile(path.join(folder, 'notes.json'), '{"hello": 1}');
      await expect(readPublishedDeliveries(folder)).rejects.toThrowError(/notes\.json is not a delivery manifest/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
