import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { decide, type IssueSnapshot } from '../../scripts/core/decide.ts';
import { formFieldsFromTemplate, renderIssueForm } from '../../scripts/core/issue-form.ts';
import { resolveSettings } from '../../scripts/core/settings.ts';
import { renderSignatureFile } from '../../scripts/core/signature-file.ts';
import { projectRoot } from '../helpers/site.ts';

const template = async (name: string) =>
  formFieldsFromTemplate(YAML.parse(await readFile(path.join(projectRoot, '.github/ISSUE_TEMPLATE', name), 'utf8')));
const signFields = await template('sign.yml');
const withdrawFields = await template('withdraw.yml');
const settings = resolveSettings({
  title: 'T',
  goal: 10,
  state: 'open',
  closing_date: '2027-06-30',
  repository: 'o/r',
  site_url: 'https://o.github.io',
  path_prefix: '/r/',
});
const now = new Date('2026-11-24T12:00:00Z');
const anna = { login: 'anna', id: 42 };

let number = 0;
const issue = (
  kind: 'signature' | 'withdrawal',
  values: Record<string, string | boolean[]>,
  extra: Partial<IssueSnapshot> = {},
): IssueSnapshot => {
  number += 1;
  return {
    number,
    kind,
    body: renderIssueForm(kind === 'signature' ? signFields : withdrawFields, values),
    labels: [kind],
    author: anna,
    created_at: `2026-11-24T10:0${number}:00Z`,
    comments: 0,
    ...extra,
  };
};
const run = (
  issues: IssueSnapshot[],
  existingFile: (id: number) => string | undefined = () => undefined,
  overrides = {},
) =>
  decide({
    issues,
    signFields,
    withdrawFields,
    existingFile,
    settings: { ...settings, ...overrides },
    now,
    letterSha256: '',
  });

describe('deciding what a run does', () => {
  it('adds a file for a new signature, with the issue as receipt and its time as the signing time', () => {
    const plan = run([issue('signature', { name: 'Anna', country: 'Russia', consent: [true] })]);
    expect(plan.actions[0]).toMatchObject({ outcome: 'signed', close: true, labels: ['signature', 'signed'] });
    expect([...plan.changes.values()][0]).toContain('signed_at: "2026-11-24T10:01:00Z"');
  });

  it('records nothing new when the file is already exactly so (a re-run after a crash)', () => {
    const first = run([issue('signature', { name: 'Anna', country: 'RU', consent: [true] })]);
    const content = [...first.changes.values()][0]!;
    const again = run([first.actions[0]!.issue], () => content);
    expect(again.changes.size).toBe(0);
    expect(again.actions[0]!.outcome).toBe('recorded');
  });

  it('treats a signature and a withdrawal by the same account in one run as withdrawn, not as "never signed"', () => {
    const plan = run([
      issue('signature', { name: 'Anna', country: 'RU', consent: [true] }),
      issue('withdrawal', { confirm: [true] }),
    ]);
    expect(plan.changes.size).toBe(0);
    expect(plan.actions.map((a) => a.outcome)).toEqual(['superseded', 'withdrawn']);
  });

  it('does not re-answer a rejected issue nobody touched, but does when its author edited it', () => {
    const rejected = issue(
      'signature',
      { name: '', country: 'RU', consent: [true] },
      { labels: ['signature', 'rejected'], comments: 1 },
    );
    expect(run([rejected]).actions[0]!.outcome).toBe('still-rejected');
    const plan = decide({
      issues: [rejected],
      signFields,
      withdrawFields,
      existingFile: () => undefined,
      settings,
      now,
      letterSha256: '',
      recheck: new Set([rejected.number]),
    });
    expect(plan.actions[0]!.outcome).toBe('rejected');
  });

  it('turns signatures away after the closing date but still honours withdrawals', () => {
    const existing = renderSignatureFile({
      name: 'Anna',
      country: 'RU',
      login: 'anna',
      user_id: 42,
      issue: 1,
      signed_at: '2026-01-01T00:00:00Z',
      letter_sha256: '',
      reason: '',
    });
    const late = run(
      [
        issue('signature', { name: 'Bob', country: 'DE', consent: [true] }, { author: { login: 'bob', id: 7 } }),
        issue('withdrawal', { confirm: [true] }),
      ],
      (id) => (id === 42 ? existing : undefined),
      { closing_date: '2026-11-01' },
    );
    expect(late.actions.map((a) => a.outcome)).toEqual(['petition-closed', 'withdrawn']);
    expect([...late.changes]).toEqual([['signatures/42/00/42.md', null]]);
  });

  it('skips the thank-you comment when receipts are turned off, but never the rejection', () => {
    const plan = run(
      [
        issue('signature', { name: 'Anna', country: 'RU', consent: [true] }),
        issue('signature', { name: '', country: 'RU', consent: [true] }, { author: { login: 'x', id: 9 } }),
      ],
      () => undefined,
      { thank_you_comments: false },
    );
    expect(plan.actions.map((a) => [a.outcome, a.comment])).toEqual([
      ['signed', false],
      ['rejected', true],
    ]);
  });
});
