import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { parseIssueForm, renderIssueForm, ISSUE_BODY_MAX_CODE_UNITS } from '../../scripts/core/issue-form.ts';
import { problemMessage } from '../../scripts/core/messages.ts';
import {
  parseSignatureFile,
  renderSignatureFile,
  signatureRelativePath,
  SIGNATURE_FILE_MAX_BYTES,
  type SignatureRecord,
} from '../../scripts/core/signature-file.ts';
import {
  containsUrl,
  csvCell,
  inertLogText,
  inertMarkdown,
  NAME_LIMITS,
  REASON_LIMITS,
} from '../../scripts/core/text.ts';
import { validateSignature } from '../../scripts/core/validate-signature.ts';
import { hostileIssueBodies } from '../../scripts/tooling/bench/hostile-issues.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { projectRoot } from '../helpers/site.ts';
import { signFields } from '../processor/harness.ts';

const english = (await readCatalogs(projectRoot, 'en'))[0]!;
const anna: SignatureRecord = {
  name: 'Anna',
  country: 'RU',
  login: 'apetrova',
  user_id: 1234567,
  issue: 42,
  signed_at: '2026-11-23T19:00:00Z',
  letter_sha256: 'a'.repeat(64),
  reason: '',
};
const values = (name: string, reason = '', country = 'DE') => ({ name, country, reason, consent: [true] });
const milliseconds = (work: () => unknown) => {
  const start = performance.now();
  work();
  return performance.now() - start;
};
// Far above what the bounded rules need (well under 5 ms), far below what the old quadratic
// pattern took (about 10 s): the figure separates linear from quadratic on any machine.
const GENEROUS_MS = 500;

describe('hostile signer text', () => {
  it('refuses a 65,000-character name of "a-a-a-…" as too long, in milliseconds rather than seconds', () => {
    const name = 'a-'.repeat(32_500);
    let result: ReturnType<typeof validateSignature> | undefined;
    expect(milliseconds(() => (result = validateSignature(values(name))))).toBeLessThan(GENEROUS_MS);
    expect(result).toMatchObject({ ok: false, problems: [{ code: 'name.tooLong', actual: 65_000, max: 100 }] });
  });

  it('looks for web addresses in linear time, however the text is built', () => {
    for (const text of ['a-'.repeat(30_000), 'a'.repeat(60_000), '-a.'.repeat(20_000), 'www'.repeat(20_000)])
      expect(milliseconds(() => containsUrl(text))).toBeLessThan(GENEROUS_MS);
    expect(containsUrl('visit spam-site.com today')).toBe(true);
    expect(containsUrl('a.b.example.com')).toBe(true);
    expect(containsUrl('Anna-Maria Petrova')).toBe(false);
  });

  it('refuses a whole issue body longer than the form can produce before reading any field', () => {
    const body = renderIssueForm(signFields, values('Anna', 'x'.repeat(70_000)));
    let parsed: ReturnType<typeof parseIssueForm> | undefined;
    expect(milliseconds(() => (parsed = parseIssueForm(body, signFields)))).toBeLessThan(GENEROUS_MS);
    expect(parsed).toEqual({
      ok: false,
      problem: { code: 'structure.tooLong', actual: body.length, max: ISSUE_BODY_MAX_CODE_UNITS },
    });
  });

  it.each(hostileIssueBodies(signFields).map((entry) => [entry.label, entry.body]))(
    'answers an issue with %s in milliseconds, with a reason',
    (_label, body) => {
      let problems: unknown[] = [];
      expect(
        milliseconds(() => {
          const parsed = parseIssueForm(body, signFields);
          problems = parsed.ok
            ? ((validateSignature(parsed.values) as { problems?: unknown[] }).problems ?? [])
            : [parsed.problem];
        }),
      ).toBeLessThan(GENEROUS_MS);
      expect(problems.length).toBeGreaterThan(0);
    },
  );

  it('refuses a few letters buried under combining marks, in the processor and in the loader alike', () => {
    const zalgo = `Z${'\u0336\u0335\u0334'.repeat(20)}algo`;
    expect(validateSignature(values(zalgo))).toMatchObject({ ok: false, problems: [{ code: 'name.stackedMarks' }] });
    const file = renderSignatureFile({ ...anna, name: zalgo });
    expect(parseSignatureFile(file, signatureRelativePath(anna.user_id))).toEqual({
      ok: false,
      problem: 'name stacks too many combining marks on one letter',
    });
  });

  it('accepts names in scripts that stack a few marks, and names real people have', () => {
    for (const name of ['བསྒྲུབས་', 'Nguyễn Thị Minh Khai', 'देवनागरी', 'Анна П.', '王伟', 'Anna P.', 'John Doe', 'Na'])
      expect(validateSignature(values(name))).toMatchObject({ ok: true });
  });

  it('refuses a name of 20,000 code units that is only a few characters long, so the build never skips a receipted name', () => {
    const name = `A${'\u0301'.repeat(19_999)}`;
    expect(validateSignature(values(name))).toMatchObject({ ok: false, problems: [{ code: 'name.tooLong' }] });
    expect(parseSignatureFile(renderSignatureFile({ ...anna, name }), signatureRelativePath(anna.user_id)).ok).toBe(
      false,
    );
  });

  it('writes the largest name and reason the processor accepts into a file the loader accepts', () => {
    // The worst case for the file: every character a quote YAML escapes, or four bytes long.
    const cases = [
      { name: 'A"'.repeat(NAME_LIMITS.characters / 2), reason: '"\\'.repeat(REASON_LIMITS.characters / 2) },
      { name: '𝔄'.repeat(NAME_LIMITS.characters), reason: '𝔄'.repeat(REASON_LIMITS.characters) },
      { name: 'देव'.repeat(33), reason: 'देव'.repeat(333) },
    ];
    for (const { name, reason } of cases) {
      const validation = validateSignature(values(name, reason));
      expect(validation.ok).toBe(true);
      const file = renderSignatureFile({ ...anna, name, reason });
      expect(Buffer.byteLength(file)).toBeLessThanOrEqual(SIGNATURE_FILE_MAX_BYTES);
      expect(parseSignatureFile(file, signatureRelativePath(anna.user_id))).toMatchObject({ ok: true });
    }
  });

  it('reads a signature file with Windows line ends exactly as the same file with Unix ones', () => {
    const file = renderSignatureFile({ ...anna, reason: 'Two lines\nof reason' });
    const path = signatureRelativePath(anna.user_id);
    expect(parseSignatureFile(file.replace(/\n/g, '\r\n'), path)).toEqual(parseSignatureFile(file, path));
    expect(parseSignatureFile(file, path).ok).toBe(true);
  });
});

describe('signer text in a CSV cell', () => {
  it('guards formulas and leading apostrophes alike, so taking one apostrophe off always gives the text back', () => {
    const unquote = (cell: string) => (cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell);
    const unguard = (cell: string) => (cell.startsWith("'") ? cell.slice(1) : cell);
    for (const text of ['=cmd|calc', "'=already quoted", "'", "it's fine", '-5 degrees', '@home', 'a, "b"', 'plain'])
      expect(unguard(unquote(csvCell(text)))).toBe(text);
    expect(csvCell("'=SUM(A1)")).toBe("''=SUM(A1)");
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell("it's")).toBe("it's");
  });
});

describe('signer text quoted by the bot', () => {
  const github = new MarkdownIt({ html: true, linkify: true });
  const hostile = [
    '[Verify your signature here](https://evil.example) @octocat',
    '![x](https://evil.example/pixel.png)',
    '<img src=x onerror=alert(1)> <a href="https://evil.example">click</a>',
    'see #1 and owner/repo#2, ping @maintainers',
    'www.evil.example and https://evil.example/path',
    '`` ` ``` backticks ` everywhere',
    '**bold** _em_ ~~strike~~ | table | pipe',
    '\n\n# heading\n\n- list\n\n::error ::pwned',
  ];

  it.each(hostile)('renders %j as literal text in a code span: no link, image, mention or HTML', (text) => {
    const html = github.renderInline(`Name: ${inertMarkdown(text)}`);
    expect(html).not.toMatch(/<a |<img |<strong|<em|<h1/);
    expect(html).toMatch(/^Name: <code>[^]*<\/code>$/);
    // What the reader sees is the text itself, whitespace folded.
    const shown = html
      .replace(/^Name: <code>|<\/code>$/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    expect(shown).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it('quotes the unknown country inside the rejection message inertly', () => {
    const message = problemMessage(
      { code: 'country.unknown', signerText: '[Verify](https://evil.example) @octocat' },
      (text) => inertMarkdown(text, 100),
      english,
    );
    expect(github.renderInline(message)).not.toContain('<a ');
  });

  it('keeps signer text on one log line that cannot start a workflow command', () => {
    const line = inertLogText('Anna\n::error file=x::pwned\r\n::add-mask::secret');
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).not.toContain('::');
  });
});
