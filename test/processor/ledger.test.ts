import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEDGER_MAX_BYTES, readLedger, writeLedger } from '../../scripts/github/ledger.ts';

/**
 * The ledger of answered issues comes from the Actions cache, which any job on the default
 * branch can write (issue #26): it is a speed-up, set aside with a warning whenever it is not
 * exactly what a run under today's rules wrote, and reading it never throws.
 */
describe('the ledger of answered issues', () => {
  let folder: string;
  let file: string;
  let warnings: string[];
  const warn = (message: string) => warnings.push(message);
  const RULES = 'a'.repeat(64);

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'petition-ledger-'));
    file = path.join(folder, 'answered.json');
    warnings = [];
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const expectSetAside = async (why: RegExp) => {
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(why);
    // Deleted, so that the next cache entry cannot carry it on.
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  };

  it('reads back what a run under the same rules wrote, and is empty without a warning when none did', async () => {
    expect((await readLedger(file, RULES, warn)).size).toBe(0);
    await writeLedger(file, RULES, { '2': '2026-11-23T19:00:00Z', '15': '2026-11-24T08:30:00.123Z' });
    const ledger = await readLedger(file, RULES, warn);
    expect([...ledger]).toEqual([
      [2, '2026-11-23T19:00:00Z'],
      [15, '2026-11-24T08:30:00.123Z'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('sets aside a ledger written under other rules, so that issues refused before a validation fix are looked at again', async () => {
    await writeLedger(file, 'b'.repeat(64), { '2': '2026-11-23T19:00:00Z' });
    expect((await readLedger(file, RULES, warn)).size).toBe(0);
    await expectSetAside(/other rules/);
  });

  it('sets aside a ledger of the old format, a bare map no rules are named in', async () => {
    await writeFile(file, JSON.stringify({ '2': '2026-11-23T19:00:00Z' }));
    expect((await readLedger(file, RULES, warn)).size).toBe(0);
    await expectSetAside(/another format/);
  });

  it.each([
    ['an issue number that is not one', { '0x1f': '2026-11-23T19:00:00Z' }],
    ['a time that is not one', { '2': '<script>alert(1)</script>' }],
    ['a value that is not text', { '2': 20261123 }],
  ])('sets aside a whole forged ledger with %s, keeping none of its entries', async (_, answered) => {
    await writeFile(
      file,
      JSON.stringify({
        format: 'petition-ledger/2',
        rules: RULES,
        answered: { '3': '2026-11-23T19:00:00Z', ...answered },
      }),
    );
    expect((await readLedger(file, RULES, warn)).size).toBe(0);
    await expectSetAside(/malformed entry/);
  });

  it('sets aside a ledger that is not JSON, without throwing', async () => {
    await writeFile(file, '{"format": "petition-ledger/2", "rules": ');
    expect((await readLedger(file, RULES, warn)).size).toBe(0);
    await expectSetAside(/unreadable/);
  });

  it('sets aside a ledger larger than the bound before reading any of it', async () => {
    // A sparse file: 600 MB by its size, more than one JavaScript string may hold, and no disk.
    const handle = await open(file, 'w');
    await handle.truncate(600 * 1024 * 1024);
    await handle.close();
    const started = performance.now();
    expect((await readLedger(file, RULES, warn)).size).toBe(0);
    expect(performance.now() - started).toBeLessThan(2000);
    await expectSetAside(new RegExp(`more than ${LEDGER_MAX_BYTES}`));
  });

  it('writes the rules it was written under beside the entries', async () => {
    await writeLedger(file, RULES, { '7': '2026-11-23T19:00:00Z' });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      format: 'petition-ledger/2',
      rules: RULES,
      answered: { '7': '2026-11-23T19:00:00Z' },
    });
  });
});
