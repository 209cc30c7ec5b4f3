/**
 * scripts/verify/recount.py, the recount in another language: run against fixture signature
 * folders, it must find what the site's own loader and tally find (count, channels, countries,
 * days, digest, which files are left out), on LF and CRLF clones alike.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allCountries } from '../../scripts/core/countries.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { computeTally } from '../../scripts/core/tally.ts';
import { generateSampleRecords } from '../../scripts/core/sample-signatures.ts';
import { renderSignatureFile, signatureRelativePath } from '../../scripts/core/signature-file.ts';
import { loadSignatures } from '../../scripts/store/load-signatures.ts';
import { writeOpenData } from '../../scripts/site/bulk-output.ts';
import { buildSiteData } from '../../scripts/site/site-data.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';
import { runTracked } from '../helpers/processes.ts';
import { baseSettings, projectRoot } from '../helpers/site.ts';

const script = path.join(projectRoot, 'scripts/verify/recount.py');
const work = await mkdtemp(path.join(os.tmpdir(), 'petition-recount-py-'));
afterAll(() => rm(work, { recursive: true, force: true }));
const settings = resolveSettings(baseSettings, {});
const letterText = await readFile(path.join(fixturePetitionDir('amur-leopard'), 'content/letter.md'), 'utf8');

interface PythonTally {
  signature_count: number;
  country_count: number;
  signatures_by_channel: Record<string, number>;
  signatures_by_country: Record<string, number>;
  signatures_by_day: Record<string, number>;
  digest: string;
  skipped: { file: string; problem: string }[];
}

/** Runs the recount; fails with what to install when there is no python3. */
async function recount(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runTracked('python3', [script, ...args]).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new Error('python3 was not found: install Python 3 (e.g. `apt-get install python3`) to run the recount.');
    throw error;
  });
}

async function pythonTally(signatures: string, blocked = path.join(work, 'no-blocked-list.yml')): Promise<PythonTally> {
  const { code, stdout, stderr } = await recount(['--signatures', signatures, '--blocked', blocked, '--json']);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as PythonTally;
}

/** What the site computes for the same folder, in the Python script's shape. */
async function siteTally(signatures: string, blocked: ReadonlySet<number> = new Set()) {
  const { records, skipped } = await loadSignatures(signatures, { blocked });
  const tally = computeTally(records, settings, new Date('2026-12-01T00:00:00Z'));
  return {
    signature_count: tally.signature_count,
    country_count: tally.country_count,
    signatures_by_channel: tally.signatures_by_channel,
    signatures_by_country: Object.fromEntries(
      tally.signatures_by_country.map((c) => [c.code, c.signature_count]).sort(([a], [b]) => (a! < b! ? -1 : 1)),
    ),
    signatures_by_day: Object.fromEntries(tally.signatures_by_day.map((d) => [d.date, d.signature_count])),
    digest: tally.digest.value,
    skipped: skipped.map((s) => s.file),
  };
}

async function crlfCopy(fixture: string, name: string): Promise<string> {
  const copy = path.join(work, name);
  await cp(fixture, copy, { recursive: true });
  for (const entry of (await readdir(copy, { recursive: true })) as string[]) {
    if (!entry.endsWith('.md')) continue;
    const file = path.join(copy, entry);
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\r?\n/g, '\r\n'));
  }
  return copy;
}

describe('the Python recount', () => {
  it.each(['mixed', 'one', 'hostile', 'none'])(
    'finds the figures and digest the site computes for the %s fixture, on LF and CRLF clones',
    async (name) => {
      const fixture = path.join(projectRoot, 'test/fixtures/signatures', name);
      const expected = await siteTally(fixture);
      for (const folder of [fixture, await crlfCopy(fixture, `crlf-${name}`)]) {
        const python = await pythonTally(folder);
        expect({ ...python, skipped: python.skipped.map((s) => s.file) }).toEqual(expected);
      }
    },
  );

  it.each(['mixed', 'hostile', 'none'])(
    'recounts the same count and digest from the open data CSV parts alone as from the %s fixture files',
    async (name) => {
      const fixture = path.join(projectRoot, 'test/fixtures/signatures', name);
      const { records } = await loadSignatures(fixture);
      // Pages of 10: several parts, each checked against the index, quotes, formulas and apostrophes in them.
      const { data, bulk } = buildSiteData(
        { ...settings, signatures_per_page: 10 },
        records,
        letterText,
        new Date('2026-12-01T00:00:00Z'),
      );
      const site = path.join(work, `open-data-${name}`);
      await writeOpenData(site, bulk, data.tally);
      const { code, stderr } = await recount([
        '--signatures',
        fixture,
        '--blocked',
        path.join(work, 'none.yml'),
        '--open-data',
        site,
      ]);
      expect(stderr).toContain('gives the same count and digest');
      expect(code).toBe(0);
    },
  );

  it('agrees with npm run tally itself on a CRLF clone', async () => {
    const crlf = await crlfCopy(path.join(projectRoot, 'test/fixtures/signatures/hostile'), 'crlf-tally');
    const tally = await runTracked(process.execPath, ['--import', 'tsx', 'scripts/commands/tally.ts', '--json'], {
      cwd: projectRoot,
      env: { ...process.env, SIGNATURES_DIR: crlf },
    });
    expect(tally.code, tally.stderr).toBe(0);
    const node = JSON.parse(tally.stdout) as { signature_count: number; digest: string; country_count: number };
    const python = await pythonTally(crlf, path.join(projectRoot, 'content/moderation/blocked-accounts.yml'));
    expect([python.signature_count, python.country_count, python.digest]).toEqual([
      node.signature_count,
      node.country_count,
      node.digest,
    ]);
  });

  it('skips a link, a pipe or a link to a passing text outside the folder as the site does, never opening them', async () => {
    const folder = path.join(work, 'odd-entries');
    await cp(path.join(projectRoot, 'test/fixtures/signatures/one'), folder, { recursive: true });
    const [outsider] = generateSampleRecords(1, { seed: 21 });
    const outside = path.join(work, 'outside.md');
    await writeFile(outside, renderSignatureFile(outsider!));
    const linked = path.join(folder, signatureRelativePath(outsider!.user_id));
    await mkdir(path.dirname(linked), { recursive: true });
    await symlink(outside, linked);
    await mkdir(path.join(folder, '01/00'), { recursive: true });
    await symlink('/dev/zero', path.join(folder, '01/00/1.md'));
    execFileSync('mkfifo', [path.join(folder, '01/00/2.md')]);
    const expected = await siteTally(folder);
    expect(expected.skipped).toEqual(
      expect.arrayContaining(['01/00/1.md', '01/00/2.md', signatureRelativePath(outsider!.user_id)]),
    );
    const python = await pythonTally(folder);
    expect({ ...python, skipped: python.skipped.map((s) => s.file) }).toEqual(expected);
    expect(new Set(python.skipped.filter((s) => s.file.startsWith('01/00/')).map((s) => s.problem))).toEqual(
      new Set(['not a regular file (a link or a submodule)']),
    );
  });

  it('leaves out a blocked account, as the site does', async () => {
    const fixture = path.join(projectRoot, 'test/fixtures/signatures/mixed');
    const blockedList = path.join(work, 'blocked.yml');
    await writeFile(blockedList, '# blocked\n- user_id: 1234567\n  login: apetrova\n  reason: test\n');
    const python = await pythonTally(fixture, blockedList);
    const site = await siteTally(fixture, new Set([1234567]));
    expect(python.signature_count).toBe(site.signature_count);
    expect(python.digest).toBe(site.digest);
    expect(python.skipped.map((s) => s.file)).toEqual(['67/45/1234567.md']);
  });

  it('knows the same country codes as the site', async () => {
    const source = await readFile(script, 'utf8');
    const block = /COUNTRY_CODES = frozenset\(\s*"""([^"]*)"""/.exec(source)![1]!;
    expect(block.split(/\s+/).filter(Boolean).sort()).toEqual(
      allCountries()
        .map((c) => c.code)
        .sort(),
    );
  });

  it('says which figure of a published tally differs, and exits 1', async () => {
    const fixture = path.join(projectRoot, 'test/fixtures/signatures/mixed');
    const { records } = await loadSignatures(fixture);
    const tally = computeTally(records, settings, new Date('2026-12-01T00:00:00Z'));
    const good = path.join(work, 'tally-good.json');
    await writeFile(good, JSON.stringify(tally));
    const args = ['--signatures', fixture, '--blocked', path.join(work, 'none.yml'), '--compare'];
    expect((await recount([...args, good])).code).toBe(0);
    const bad = path.join(work, 'tally-bad.json');
    await writeFile(bad, JSON.stringify({ ...tally, signature_count: tally.signature_count + 1 }));
    const result = await recount([...args, bad]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`DIFFERS signature_count: the files give ${tally.signature_count}`);
  });
});
