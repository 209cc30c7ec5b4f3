import { parse as parseCsv } from 'csv-parse/sync';
/**
 * The maintainer's tools for signatures collected off GitHub: `npm run add-signatures` and
 * `npm run withdraw-offline`, run as functions against a temporary project folder.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { addSignatures } from '../../scripts/commands/add-signatures.ts';
import { contactHash, normaliseContact } from '../../scripts/core/offline-signature.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { buildSiteData } from '../../scripts/site/site-data.ts';
import { volumeRowsHtml, listEntriesHtml, recordOfRank } from '../../scripts/site/bulk-pages.ts';
import { CSV_HEADER, csvParts } from '../../scripts/site/open-data.ts';
import { signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { letterDigest } from '../../scripts/core/tally.ts';
import { withdrawOffline } from '../../scripts/commands/withdraw-offline.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';
import { projectRoot } from '../helpers/site.ts';

const KEY = 'test-key-0123456789abcdef0123456789abcdef';
const now = new Date('2026-11-25T12:00:00Z');
const fixtures = path.join(projectRoot, 'test/fixtures/offline');
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-offline-'));
afterAll(() => rm(work, { recursive: true, force: true }));

let root: string;
let signatures: string;
let scan: string;
let run = 0;
const leopard = fixturePetitionDir('amur-leopard');

/** A fresh project: the fixture petition's letters, a GitHub signature, a scan outside it. */
beforeEach(async () => {
  run += 1;
  root = path.join(work, `project-${run}`);
  signatures = path.join(root, 'signatures');
  await mkdir(path.join(root, 'content/ru'), { recursive: true });
  await mkdir(path.join(root, 'content/zh'), { recursive: true });
  // The amur-leopard fixture's settings, language files and letters (English, Russian, Chinese).
  for (const entry of ['settings.json', 'i18n', 'letter.md', 'ru/letter.md', 'zh/letter.md'])
    await cp(path.join(leopard, 'content', entry), path.join(root, 'content', entry), { recursive: true });
  await cp(path.join(projectRoot, 'test/fixtures/signatures/one'), signatures, { recursive: true });
  scan = path.join(work, `scan-${run}.pdf`);
  await writeFile(scan, `scanned sheet ${run}`);
});

/** Copies a fixture sheet out of the repository (a sheet with contacts must not be inside it). */
async function sheet(scenario: string, file = 'sheet.csv'): Promise<string> {
  const target = path.join(work, `${scenario}-${run}-${file}`);
  await cp(path.join(fixtures, scenario, file), target);
  return target;
}

const add = (argv: string[], env: NodeJS.ProcessEnv = { PETITION_CONTACT_KEY: KEY }) =>
  addSignatures(argv, { projectRoot: root, env, now });
const withdraw = (argv: string[], env: NodeJS.ProcessEnv = { PETITION_CONTACT_KEY: KEY }) =>
  withdrawOffline(argv, { projectRoot: root, env });

async function filesUnder(folder: string): Promise<string[]> {
  try {
    return (await readdir(folder, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
      .sort();
  } catch {
    return [];
  }
}

describe('npm run add-signatures', () => {
  it('records a sheet against its own language’s letter with --language, and says which', async () => {
    const result = await add([await sheet('good-sheet'), '--language', 'ru', '--evidence', scan]);
    expect(result.err).toEqual([]);
    const russian = letterDigest(await readFile(path.join(root, 'content/ru/letter.md'), 'utf8'));
    expect(result.out.join('\n')).toContain(
      `The signatures are recorded against the ru letter, content/ru/letter.md (SHA-256 ${russian}).`,
    );
    const { records } = await loadSignatures(signatures);
    const offline = records.filter((record) => 'channel' in record);
    expect(offline.length).toBeGreaterThan(0);
    for (const record of offline) expect(record.letter_sha256).toBe(russian);
  });

  it('records a sheet against the default language’s letter without --language, and refuses a language the petition lacks', async () => {
    const english = letterDigest(await readFile(path.join(root, 'content/letter.md'), 'utf8'));
    expect((await add([await sheet('good-sheet'), '--language', 'es', '--evidence', scan])).err.join('\n')).toContain(
      '--language es is not a language of this petition (en, ru, zh)',
    );
    const result = await add([await sheet('good-sheet'), '--evidence', scan]);
    expect(result.out.join('\n')).toContain(`against the en letter, content/letter.md (SHA-256 ${english})`);
  });

  it('adds one file per signer and a batch record, and prints a commit message without any contact', async () => {
    const result = await add([await sheet('good-sheet'), '--batch', '2026-11-market', '--evidence', scan]);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    const files = await filesUnder(path.join(signatures, 'offline'));
    expect(files.filter((file) => file.endsWith('.md'))).toHaveLength(4);
    expect(files).toContain(path.join('batches', '2026-11-market.yml'));

    const { records, skipped } = await loadSignatures(signatures);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(5); // the GitHub signature and four offline ones
    const olga = records.find((record) => record.name === 'Olga "Ola" S.');
    expect(olga).toMatchObject({ channel: 'paper', country: 'RU', reason: 'Two lines,\nwith a comma.', row: 4 });
    expect(records.find((record) => record.name === 'Jonas B.')).toMatchObject({ channel: 'email' });

    const output = result.out.join('\n');
    expect(output).toContain('Add 4 offline signatures (batch 2026-11-market: 3 on paper, 1 by email)');
    const everything = `${output}\n${await Promise.all(files.map((file) => readFile(path.join(signatures, 'offline', file), 'utf8'))).then((texts) => texts.join('\n'))}`;
    for (const contact of ['anna@example.org', 'example.org', 'example.net', '1234 5678', '12345678'])
      expect(everything.toLowerCase()).not.toContain(contact);
    const record = await readFile(path.join(signatures, 'offline/batches/2026-11-market.yml'), 'utf8');
    expect(record).toContain('evidence_sha256:');
    expect(record).not.toContain(path.basename(scan));
  });

  it('takes a typed-up sheet to every count the site publishes', async () => {
    expect((await add([await sheet('good-sheet'), '--batch', 'market', '--evidence', scan])).code).toBe(0);
    const { records } = await loadSignatures(signatures);
    const settings = resolveSettings(JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')));
    const letter = await readFile(path.join(root, 'content/letter.md'), 'utf8');
    const { data, bulk } = buildSiteData(settings, records, letter, now);
    expect(data.tally.signature_count).toBe(5);
    expect(data.tally.signatures_by_channel).toEqual({ github: 1, paper: 3, email: 1 });
    expect(listEntriesHtml(bulk, 1).match(/class="signer-channel"/g)).toHaveLength(4);
    expect(volumeRowsHtml(bulk, 1).match(/<td>paper$/gm)).toHaveLength(3);
    const csv =
      CSV_HEADER +
      [...csvParts(records.length, (rank) => recordOfRank(bulk, rank), bulk.perPage)].map((part) => part.rows).join('');
    const csvRows = parseCsv(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(csvRows.filter((row) => row.channel === 'paper')).toHaveLength(3);
    // Every signer records the letter version the sheet printed: the current letter's.
    expect(records.every((record) => record.letter_sha256 === '' || record.letter_sha256 === data.letterSha256)).toBe(
      true,
    );
    expect(records.filter((record) => record.letter_sha256 === data.letterSha256)).toHaveLength(4);
  });

  it('reads the JSON the sheet page produces, reporting rows by number', async () => {
    const result = await add([await sheet('json-sheet', 'sheet.json'), '--batch', 'mail-2026-11', '--evidence', scan]);
    expect(result.code).toBe(0);
    const { records } = await loadSignatures(signatures);
    expect(records.filter((record) => 'channel' in record && record.channel === 'email')).toHaveLength(2);
    expect(records.find((record) => record.name === 'Sven L.')).toMatchObject({ country: 'SE', row: 1 });
  });

  it('reports every bad row with its line and reason, and writes nothing', async () => {
    const result = await add([await sheet('bad-rows'), '--batch', 'bad', '--evidence', scan]);
    expect(result.code).toBe(1);
    const report = result.err.join('\n');
    expect(report).toMatch(/^line 3: name: "Your name here" looks like an example/m);
    expect(report).toMatch(/^line 4: name: .*starts with =, \+, - or @/m);
    expect(report).toMatch(/^line 4: name: .*web address/m);
    expect(report).toMatch(/^line 5: country: We could not recognise "Atlantis"/m);
    expect(report).toMatch(/^line 6: date: "20\.11\.2026" is not a date written YYYY-MM-DD/m);
    expect(report).toMatch(/^line 6: channel: "fax" is not "paper" or "email"/m);
    expect(report).toMatch(/^line 6: collector: empty/m);
    expect(report).toMatch(/^line 6: contact is not an email address or a phone number/m);
    expect(report).toMatch(/^line 7: has 2 cells; the header has 7/m);
    expect(report).toMatch(/^line 8: duplicate: the same contact as line 2 of this batch/m);
    expect(report).toContain('6 bad lines of 7. Nothing was written.');
    expect(report).not.toMatch(/anna@example/i);
    expect(await filesUnder(path.join(signatures, 'offline'))).toEqual([]);
  });

  it('adds the good rows and records the bad lines when told to skip them', async () => {
    const result = await add([await sheet('bad-rows'), '--batch', 'bad', '--evidence', scan, '--skip-bad']);
    expect(result.code).toBe(0);
    expect(result.err.length).toBeGreaterThan(0);
    const { records } = await loadSignatures(signatures);
    expect(records.map((record) => record.name).sort()).toEqual(['Anna P.', 'Анна Петрова']);
    const record = await readFile(path.join(signatures, 'offline/batches/bad.yml'), 'utf8');
    expect(record).toMatch(/skipped_lines:\n {2}- 3\n {2}- 4\n {2}- 5\n {2}- 6\n {2}- 7\n {2}- 8\n/);
  });

  it('refuses the same person in a later batch, naming both batches and lines', async () => {
    expect((await add([await sheet('good-sheet'), '--batch', 'first', '--evidence', scan])).code).toBe(0);
    const result = await add([await sheet('second-sheet'), '--batch', 'second', '--evidence', scan]);
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toMatch(/^line 2: duplicate: the same person already signed in batch first, line 2/m);
    expect(await filesUnder(path.join(signatures, 'offline/batches'))).toEqual(['first.yml']);
    // The earlier batch's signer is untouched.
    const { records } = await loadSignatures(signatures);
    expect(records.find((record) => record.name === 'Anna P.')).toMatchObject({ batch: 'first' });
    expect(records.some((record) => record.name === 'Anna Petrova')).toBe(false);
  });

  it('refuses to hash contacts without the key, and writes nothing', async () => {
    const result = await add([await sheet('good-sheet'), '--batch', 'nokey', '--evidence', scan], {});
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('3 row(s) give a contact (line 2, 3, 6)');
    expect(result.err.join('\n')).toContain('Set PETITION_CONTACT_KEY');
    expect(await filesUnder(path.join(signatures, 'offline'))).toEqual([]);
  });

  it('refuses a key file inside the repository and a key too short to be secret', async () => {
    await writeFile(path.join(root, 'contact.key'), KEY);
    const inside = await add([await sheet('good-sheet'), '--evidence', scan], {
      PETITION_CONTACT_KEY_FILE: path.join(root, 'contact.key'),
    });
    expect(inside.err.join('\n')).toContain('points inside the repository');
    const short = await add([await sheet('good-sheet'), '--evidence', scan], { PETITION_CONTACT_KEY: 'secret' });
    expect(short.err.join('\n')).toContain('shorter than 32 characters');
    const outsideKey = path.join(work, `key-${run}`);
    await writeFile(outsideKey, `${KEY}\n`);
    const fromFile = await add([await sheet('good-sheet'), '--batch', 'keyfile', '--evidence', scan], {
      PETITION_CONTACT_KEY_FILE: outsideKey,
    });
    expect(fromFile.code).toBe(0);
  });

  it('keeps offline signers apart from GitHub ids, even one whose number matches', async () => {
    const github = path.join(signatures, signatureRelativePath(1234567));
    const before = await readFile(github, 'utf8');
    const hostile = path.join(work, `numbers-${run}.csv`);
    await writeFile(
      hostile,
      'name,country,date,channel,collector,contact\nMallory,RU,2026-11-20,paper,Maria K.,1234567\nEve,RU,2026-11-20,paper,Maria K.,+1234567\n',
    );
    const result = await add([hostile, '--batch', 'numbers', '--evidence', scan]);
    expect(result.code).toBe(0);
    expect(await readFile(github, 'utf8')).toBe(before);
    const files = await filesUnder(signatures);
    expect(files.filter((file) => file.endsWith('.md') && !file.startsWith('offline'))).toEqual([
      signatureRelativePath(1234567),
    ]);
    const { records } = await loadSignatures(signatures);
    expect(records).toHaveLength(3);
  });

  it('refuses a batch that was already added, so a withdrawn signer never comes back', async () => {
    const file = await sheet('good-sheet');
    expect((await add([file, '--batch', 'once', '--evidence', scan])).code).toBe(0);
    const again = await add([file, '--batch', 'once', '--evidence', scan]);
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toContain('Batch once was already added');
  });

  it('finishes a batch whose earlier run stopped before the batch record', async () => {
    const file = await sheet('good-sheet');
    expect((await add([file, '--batch', 'interrupted', '--evidence', scan])).code).toBe(0);
    // As if the run had died after the signer files: no batch record, one file missing.
    await rm(path.join(signatures, 'offline/batches/interrupted.yml'));
    const { records } = await loadSignatures(signatures);
    const jonas = records.find((record) => record.name === 'Jonas B.')!;
    await rm(
      path.join(signatures, 'offline', (jonas as { id: string }).id.slice(1, 3), `${(jonas as { id: string }).id}.md`),
    );

    const rerun = await add([file, '--batch', 'interrupted', '--evidence', scan]);
    expect(rerun.err).toEqual([]);
    expect(rerun.out.join('\n')).toContain('(3 were already written by an interrupted run)');
    expect(rerun.out.join('\n')).toContain('Add 4 offline signatures');
    expect((await loadSignatures(signatures)).records).toHaveLength(5);
  });

  it('refuses a sheet with contacts kept inside the repository, and evidence inside it', async () => {
    const inside = path.join(root, 'sheet.csv');
    await cp(path.join(fixtures, 'good-sheet/sheet.csv'), inside);
    expect((await add([inside, '--evidence', scan])).err.join('\n')).toContain('inside the repository');
    const insideScan = path.join(root, 'scan.pdf');
    await writeFile(insideScan, 'scan');
    expect((await add([await sheet('good-sheet'), '--evidence', insideScan])).err.join('\n')).toContain(
      'stay with the maintainers',
    );
    expect((await add([await sheet('good-sheet')])).err.join('\n')).toContain('A batch needs evidence');
  });
});

describe('npm run withdraw-offline', () => {
  it('removes one offline signer found by their contact, whatever its spelling, and names no contact', async () => {
    expect((await add([await sheet('good-sheet'), '--batch', 'first', '--evidence', scan])).code).toBe(0);
    const result = await withdraw(['--contact', '  ANNA@example.org ']);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.join('\n')).toContain(
      "Withdraw an offline signature at the signer's request (batch first, line 2)",
    );
    expect(result.out.join('\n')).not.toMatch(/anna/i);
    const { records } = await loadSignatures(signatures);
    expect(records.map((record) => record.name)).not.toContain('Anna P.');
    expect(records).toHaveLength(4);
  });

  it('removes a signer by the contact hash alone, without the key', async () => {
    expect((await add([await sheet('good-sheet'), '--batch', 'first', '--evidence', scan])).code).toBe(0);
    const normalised = normaliseContact('+86 10 1234 5678');
    if (!normalised.ok) throw new Error(normalised.problem);
    const result = await withdraw(['--hash', contactHash(normalised.value, KEY)], {});
    expect(result.code).toBe(0);
    expect((await loadSignatures(signatures)).records.map((record) => record.name)).not.toContain('Li Wei');
  });

  it('says so when no offline signer has that contact, or when the key is missing', async () => {
    const none = await withdraw(['--contact', 'nobody@example.org']);
    expect(none.code).toBe(1);
    expect(none.err.join('\n')).toContain('No offline signature has that contact');
    const noKey = await withdraw(['--contact', 'nobody@example.org'], {});
    expect(noKey.err.join('\n')).toContain('needs the contact key');
    const notAHash = await withdraw(['--hash', '1234567']);
    expect(notAHash.err.join('\n')).toContain('not a contact hash');
  });
});
