import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { formFieldsFromTemplate, parseIssueForm } from '../../scripts/core/issue-form.ts';
import { projectRoot } from '../helpers/site.ts';

const fields = formFieldsFromTemplate(
  YAML.parse(await readFile(path.join(projectRoot, '.github/ISSUE_TEMPLATE/sign.yml'), 'utf8')),
);
const consentLabel = fields.find((field) => field.id === 'consent')!.options[0]!;

/** A body exactly as GitHub renders the signing form. */
const body = (name: string, country: string, reason: string, tick: string) =>
  `### Your name, as it will be shown\n\n${name}\n\n### Country or territory\n\n${country}\n\n### Why you are signing (optional)\n\n${reason}\n\n### Consent\n\n- [${tick}] ${consentLabel}`;

describe('reading an issue made with the signing form', () => {
  it('takes the field ids of the template as keys', () => {
    expect(fields.map((field) => field.id)).toEqual(['name', 'country', 'reason', 'consent']);
    expect(parseIssueForm(body('Анна', 'Россия', 'Line one\nLine two', 'X'), fields)).toEqual({
      ok: true,
      values: { name: 'Анна', country: 'Россия', reason: 'Line one\nLine two', consent: [true] },
    });
  });

  it('reads "_No response_" as empty and a lower-case [x] or an empty box as ticked or not', () => {
    expect(parseIssueForm(body('Li', 'CN', '_No response_', 'x'), fields)).toEqual({
      ok: true,
      values: { name: 'Li', country: 'CN', reason: '', consent: [true] },
    });
    expect(parseIssueForm(body('Li', 'CN', '_No response_', ' '), fields)).toMatchObject({
      ok: true,
      values: { consent: [false] },
    });
  });

  it('reads bodies with Windows line ends', () => {
    expect(parseIssueForm(body('Li', 'CN', 'Why not', 'X').replace(/\n/g, '\r\n'), fields)).toMatchObject({
      ok: true,
      values: { name: 'Li', reason: 'Why not' },
    });
  });

  it('refuses a reason that smuggles in another field heading instead of letting it win', () => {
    const spoof = body('Anna', 'DE', 'Hi\n\n### Your name, as it will be shown\n\nSomeone Else', 'X');
    expect(parseIssueForm(spoof, fields)).toEqual({
      ok: false,
      problem: { code: 'structure.headingInAnswer', label: 'Your name, as it will be shown' },
    });
  });

  it('refuses a ticked box typed into the reason when the real box is empty', () => {
    const spoof = body('Anna', 'DE', `### Consent\n\n- [X] ${consentLabel}`, ' ');
    expect(parseIssueForm(spoof, fields).ok).toBe(false);
  });

  it.each([
    ['free text', 'Please sign me up'],
    ['an empty body', ''],
    [
      'fields in another order',
      '### Country or territory\n\nDE\n\n### Your name, as it will be shown\n\nAnna\n\n### Why you are signing (optional)\n\n_No response_\n\n### Consent\n\n- [X] x',
    ],
    ['text before the first field', `Hello!\n\n${body('Anna', 'DE', '', 'X')}`],
  ])('refuses %s as not made with the form', (_label, text) => {
    expect(parseIssueForm(text, fields)).toEqual({
      ok: false,
      problem: { code: 'structure.notFromForm' },
    });
  });
});
