/** The pure batch planner: rows in, files planned, every problem found; no disk. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBatchFile, type BatchRow } from '../../scripts/offline/batch-file.ts';
import { planBatch, type BatchOptions } from '../../scripts/offline/offline-batch.ts';
import { planOfflineWithdrawal } from '../../scripts/offline/offline-withdrawal.ts';
import { offlineRelativePath, rowId } from '../../scripts/core/offline-signature.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { projectRoot } from '../helpers/site.ts';

const options: BatchOptions = {
  batch: 'b1',
  evidenceSha256: ['e'.repeat(64)],
  letterSha256: '',
  contactKey: 'planner-test-key-0123456789abcdef0123',
  skipBad: false,
  today: '2026-11-25',
  catalog: (await readCatalogs(projectRoot, 'en'))[0]!,
};
const nothing = { read: () => undefined };
const row = (line: number, values: BatchRow['values']): BatchRow => ({
  line,
  values: { name: 'Anna P.', country: 'RU', date: '2026-11-20', channel: 'paper', collector: 'Maria K.', ...values },
});

describe('planning a batch', () => {
  it('plans one file per signer and the batch record last', () => {
    const plan = planBatch([row(2, {}), row(3, { name: 'Li Wei', channel: 'EMAIL' })], 'line', options, nothing);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.writes.map((write) => write.path)).toEqual([
      offlineRelativePath(rowId('b1', 2)),
      offlineRelativePath(rowId('b1', 3)),
      'offline/batches/b1.yml',
    ]);
    expect(plan.record).toMatchObject({ signatures: 2, by_channel: { paper: 1, email: 1 }, collectors: ['Maria K.'] });
  });

  it('refuses a date in the future, a bad batch id and a batch without evidence', () => {
    const future = planBatch([row(2, { date: '2026-11-26' })], 'line', options, nothing);
    expect(future).toEqual({ ok: false, problems: [{ line: 2, message: 'date: 2026-11-26 is in the future' }] });
    expect(planBatch([row(2, {})], 'line', { ...options, batch: '../x' }, nothing)).toMatchObject({
      ok: false,
      fatal: expect.stringContaining('is not a batch id'),
    });
    expect(planBatch([row(2, {})], 'line', { ...options, evidenceSha256: [] }, nothing)).toMatchObject({
      ok: false,
      fatal: expect.stringContaining('A batch needs evidence'),
    });
  });

  it('adds nothing when every row is bad, even when told to skip bad rows', () => {
    const plan = planBatch([row(2, { country: 'Atlantis' })], 'line', { ...options, skipBad: true }, nothing);
    expect(plan).toMatchObject({ ok: false, fatal: 'No line of the batch can be added. Nothing was written.' });
  });

  it('never overwrites a file that another batch wrote', () => {
    const first = planBatch([row(2, { contact: 'anna@example.org' })], 'line', options, nothing);
    if (!first.ok) throw new Error('first batch refused');
    const [signer] = first.writes;
    const existing = { read: (path: string) => (path === signer!.path ? signer!.text : undefined) };
    const second = planBatch(
      [row(5, { name: 'Anna Petrova', contact: 'ANNA@example.org' })],
      'line',
      { ...options, batch: 'b2' },
      existing,
    );
    expect(second).toEqual({
      ok: false,
      problems: [
        { line: 5, message: 'duplicate: the same person already signed in batch b1, line 2 (a person counts once)' },
      ],
    });
  });

  it('checks hostile text with the processor rules and keeps it out of the report', () => {
    const plan = planBatch(
      [
        row(2, { name: 'x\u202Egnp.exe' }),
        row(3, { reason: 'Z\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301' }),
        row(4, { collector: 'Maria\u200BK.' }),
        row(5, { contact: `${'a'.repeat(300)}@example.org` }),
        row(6, { channel: '\u001b]0;pwned\u0007' }),
      ],
      'line',
      options,
      nothing,
    );
    expect(plan.ok).toBe(false);
    const report = plan.problems.map((problem) => `${problem.line}: ${problem.message}`).join('\n');
    expect(report).toContain('2: name: Your name contains invisible text-direction characters');
    expect(report).toContain('3: reason: Your reason stacks many accents');
    expect(report).toContain('4: collector: breaks the rules for names');
    expect(report).toContain('5: contact is longer than 254 characters');
    for (const problem of plan.problems) expect(problem.message).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(report).not.toContain('aaaa');
  });
});

describe('reading a batch file', () => {
  it('refuses a file too large to be a typed-up sheet before parsing it', () => {
    expect(parseBatchFile('x'.repeat(5 * 1024 * 1024), 'csv')).toEqual({
      ok: false,
      problem: 'the file is larger than 4194304 bytes',
    });
  });

  it('bounds a single enormous cell, and reads the worst-case file quickly', () => {
    const huge = `name,country,date,channel,collector\n"${'a'.repeat(100_000)}",RU,2026-11-20,paper,M\n`;
    const result = parseBatchFile(huge, 'csv');
    expect(result.ok).toBe(false);
    const rows = `name,country,date,channel,collector\n${'"Anna ""P."", a ""quoted"" name",RU,2026-11-20,paper,Maria K.\n'.repeat(10_000)}`;
    const started = performance.now();
    const parsed = parseBatchFile(rows, 'csv');
    expect(parsed.ok && parsed.rows).toHaveLength(10_000);
    if (parsed.ok) planBatch(parsed.rows, 'line', options, nothing);
    // A pattern that backtracks or a quadratic join would take minutes on 10,000 rows; the
    // bound is wide so that a busy machine (load average 15 on 2 cores took 5–15 s) passes.
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it.each(['lf', 'crlf', 'cr'])(
    'numbers rows by the physical line they start on in a %s sheet with line breaks inside cells',
    (kind) => {
      const file = path.join(projectRoot, `test/fixtures/offline/line-breaks-${kind}/sheet.csv`);
      const text = readFileSync(file, 'utf8');
      // The fixture really has the line ends its folder names (git keeps them: see .gitattributes).
      expect(/\r\n/.test(text)).toBe(kind === 'crlf');
      expect(/\r(?!\n)/.test(text)).toBe(kind === 'cr');
      const parsed = parseBatchFile(text, 'csv');
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      // Header on line 1; Anna's reason spans lines 2–3, Olga's 5–7.
      expect(parsed.rows.map((row) => [row.line, row.values.name])).toEqual([
        [2, 'Anna P.'],
        [4, 'Li Wei'],
        [5, 'Olga S.'],
        [8, 'John D.'],
      ]);
      expect(parsed.rows[2]!.values.reason).toBe('Three\nline\nreason');
      const plan = planBatch(parsed.rows, 'line', options, nothing);
      expect(plan.ok && plan.writes.slice(0, 4).map((write) => write.path)).toEqual(
        [2, 4, 5, 8].map((line) => offlineRelativePath(rowId('b1', line))),
      );
    },
  );

  it('names an unknown or missing column, and a JSON row that is not text', () => {
    expect(parseBatchFile('name,country,date,channel,collector,email\n', 'csv')).toMatchObject({
      problem: expect.stringContaining('line 1: unknown column(s) "email"'),
    });
    expect(parseBatchFile('name,country,date\n', 'csv')).toMatchObject({
      problem: 'line 1: missing column(s) channel, collector',
    });
    expect(parseBatchFile('{"rows":[{"name":"A","country":7}]}', 'json')).toEqual({
      ok: false,
      problem: 'row 1: country is not text',
    });
  });
});

describe('planning a withdrawal', () => {
  it('accepts a contact hash or a signature id, and nothing else', () => {
    expect(planOfflineWithdrawal('1234567', nothing)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not a contact hash'),
    });
    expect(planOfflineWithdrawal(rowId('b1', 2), nothing)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('No offline signature has that contact'),
    });
    expect(planOfflineWithdrawal('f'.repeat(10_000), nothing).ok).toBe(false);
  });
});
