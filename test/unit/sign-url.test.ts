import { describe, expect, it } from 'vitest';
import {
  FORM_LIMITS,
  SIGN_URL_MAX_LENGTH,
  buildSignUrl,
  cutToUnits,
  plainFormWorstCaseLength,
  signIssueTitle,
} from '../../scripts/core/sign-url.ts';

const REPO = 'petition-as-code/amur-leopard';
const LONGEST_REPO = `${'o'.repeat(39)}/${'r'.repeat(100)}`;

/** What a browser without JavaScript sends for a GET form: application/x-www-form-urlencoded. */
function plainFormUrl(repository: string, fields: Record<string, string>): string {
  const query = new URLSearchParams({ template: 'sign.yml', title: 'Signature', ...fields });
  return `https://github.com/${repository}/issues/new?${query.toString()}`;
}

describe('the link to GitHub that the signing form opens', () => {
  it('prefills every text field of sign.yml by its id, with the values exactly as typed', () => {
    const { url, reasonShortened } = buildSignUrl(REPO, {
      name: "  Анна O'Brien 李  ",
      country: 'Россия',
      reason: 'Save them + their forest & prey.\nPlease.',
    });
    const parsed = new URL(url);
    expect(parsed.origin + parsed.pathname).toBe('https://github.com/petition-as-code/amur-leopard/issues/new');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      template: 'sign.yml',
      title: "Signature: Анна O'Brien 李",
      name: "Анна O'Brien 李",
      country: 'Россия',
      reason: 'Save them + their forest & prey.\nPlease.',
    });
    expect(url).not.toContain('+');
    expect(reasonShortened).toBe(false);
  });

  it('never asks GitHub to prefill the consent checkbox', () => {
    const parsed = new URL(buildSignUrl(REPO, { name: 'Anna P.', country: 'DE', reason: '' }).url);
    expect(parsed.searchParams.has('consent')).toBe(false);
  });

  it('titles the issue with the name, shortening long names', () => {
    expect(signIssueTitle('Anna P.')).toBe('Signature: Anna P.');
    expect(signIssueTitle('   ')).toBe('Signature');
    const long = signIssueTitle('Ж'.repeat(100));
    expect(long).toBe(`Signature: ${'Ж'.repeat(FORM_LIMITS.titleName - 1)}…`);
  });

  it('titles the issue as the language writes it, with a full-width colon in Chinese', () => {
    expect(signIssueTitle('王伟', '签名', '签名：{name}')).toBe('签名：王伟');
    expect(signIssueTitle('  ', '签名', '签名：{name}')).toBe('签名');
    // A name is put in as typed, "$&" and "{name}" included.
    expect(signIssueTitle('A $& {name}', 'Подпись', 'Подпись: {name}')).toBe('Подпись: A $& {name}');
    const url = buildSignUrl(REPO, { name: '王伟', country: '中国', reason: '' }, undefined, {
      template: 'sign-zh.yml',
      title: '签名',
      titleWithName: '签名：{name}',
    }).url;
    expect(new URL(url).searchParams.get('title')).toBe('签名：王伟');
  });

  it('keeps a 1,000-character Chinese reason under the bound by shortening it, and says so', () => {
    const typed = '保护远东豹'.repeat(200);
    const { url, reason, reasonShortened } = buildSignUrl(REPO, { name: '李雷', country: '中国', reason: typed });
    expect(url.length).toBeLessThanOrEqual(SIGN_URL_MAX_LENGTH);
    expect(reasonShortened).toBe(true);
    expect(typed.startsWith(reason)).toBe(true);
    expect(new URL(url).searchParams.get('reason')).toBe(reason);
    // The longest beginning that fits: one more character would not.
    const oneMore = buildSignUrl(
      REPO,
      { name: '李雷', country: '中国', reason: typed.slice(0, reason.length + 1) },
      Number.MAX_SAFE_INTEGER,
    );
    expect(oneMore.url.length).toBeGreaterThan(SIGN_URL_MAX_LENGTH);
    expect(reason.length).toBeGreaterThan(500);
  });

  it('keeps the whole reason when it fits, even at the processor limit of 1,000 characters', () => {
    const typed = 'The leopard needs its forest. '.repeat(40).slice(0, 1000);
    const result = buildSignUrl(REPO, { name: 'Anna P.', country: 'Russia', reason: typed });
    expect(result.reasonShortened).toBe(false);
    expect(new URL(result.url).searchParams.get('reason')).toBe(typed.trim());
  });

  it('stays under the bound whatever is typed, even emoji and maximum lengths in a maximal repository name', () => {
    const huge = { name: '😀'.repeat(500), country: '中'.repeat(500), reason: '中\n😀'.repeat(5000) };
    const { url } = buildSignUrl(LONGEST_REPO, huge);
    expect(url.length).toBeLessThanOrEqual(SIGN_URL_MAX_LENGTH);
    const params = new URL(url).searchParams;
    expect(params.get('name')).toBe('😀'.repeat(FORM_LIMITS.name / 2));
    expect(params.get('country')).toBe('中'.repeat(FORM_LIMITS.country));
  });

  it('without JavaScript, the form’s maxlengths alone keep the worst case under the bound', () => {
    expect(plainFormWorstCaseLength()).toBeLessThanOrEqual(SIGN_URL_MAX_LENGTH);
    // The arithmetic is the real worst case: 3-byte characters in every field of a maximal repository.
    const worst = plainFormUrl(LONGEST_REPO, {
      name: '中'.repeat(FORM_LIMITS.name),
      country: '中'.repeat(FORM_LIMITS.country),
      reason: '中'.repeat(FORM_LIMITS.plainReason),
    });
    expect(worst.length).toBe(plainFormWorstCaseLength());
    // Line breaks (sent as CRLF) and emoji encode to fewer characters per code unit.
    const other = plainFormUrl(LONGEST_REPO, {
      name: '😀'.repeat(FORM_LIMITS.name / 2),
      country: '中'.repeat(FORM_LIMITS.country),
      reason: '\r\n'.repeat(FORM_LIMITS.plainReason),
    });
    expect(other.length).toBeLessThan(worst.length);
  });

  it('refuses a repository setting that is not owner/name', () => {
    expect(() => buildSignUrl('https://github.com/a/b', { name: 'A', country: 'DE', reason: '' })).toThrow(
      /owner\/name/,
    );
    expect(() => buildSignUrl('a/b/c', { name: 'A', country: 'DE', reason: '' })).toThrow();
  });

  it('cuts text without splitting an emoji in half', () => {
    expect(cutToUnits('ab😀', 3)).toBe('ab');
    expect(cutToUnits('ab😀', 4)).toBe('ab😀');
  });
});

describe('the sign link of a translated page', () => {
  it('opens that language’s form with its title, as the Russian and Chinese pages’ script does', () => {
    const { url } = buildSignUrl(REPO, { name: 'Ольга', country: 'Россия', reason: '' }, undefined, {
      template: 'sign-ru.yml',
      title: 'Подпись',
    });
    expect(Object.fromEntries(new URL(url).searchParams)).toMatchObject({
      template: 'sign-ru.yml',
      title: 'Подпись: Ольга',
    });
  });

  it('stays under 6,000 characters without JavaScript in Russian and Chinese too', () => {
    for (const form of [
      { template: 'sign-ru.yml', title: 'Подпись' },
      { template: 'sign-zh.yml', title: '签名' },
    ])
      expect(plainFormWorstCaseLength(undefined, form), form.template).toBeLessThanOrEqual(SIGN_URL_MAX_LENGTH);
    expect(plainFormWorstCaseLength(undefined, { template: 'sign-ru.yml', title: 'Подпись' })).toBeGreaterThan(
      plainFormWorstCaseLength(),
    );
  });
});
