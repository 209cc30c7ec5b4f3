import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import MarkdownIt from 'markdown-it';
import { format, missingKeys, parseCatalog } from '../../scripts/core/i18n.ts';
import { problemMessage } from '../../scripts/core/messages.ts';
import { readCatalogs } from '../../scripts/store/catalogs.ts';
import { fixturePetitionDir } from '../helpers/petitions.ts';

// The amur-leopard fixture's language files (en, ru, zh): the rules, checked on a petition of their own.
const projectRoot = fixturePetitionDir('amur-leopard');

const catalogs = await readCatalogs(projectRoot, 'en');
const byLanguage = Object.fromEntries(catalogs.map((catalog) => [catalog.language, catalog]));

describe('the language files', () => {
  it('exist for English, Russian and Chinese, English first', () => {
    expect(catalogs.map((catalog) => catalog.language)).toEqual(['en', 'ru', 'zh']);
  });

  it.each(catalogs.slice(1).map((catalog) => catalog.language))(
    'leave no string of the English file untranslated in %s',
    (language) => {
      expect(missingKeys(byLanguage.en, byLanguage[language])).toEqual([]);
    },
  );

  it('spot a missing key, so the check above can fail', () => {
    const partial = parseCatalog('language: xx\nname: X\nbot:\n  receipt:\n    signed: hi\n', 'xx.yml');
    expect(missingKeys(byLanguage.en, partial)).toContain('bot.receipt.updated');
  });

  it('hold only messages that parse, with the same placeholders in every language', async () => {
    const placeholders = (message: string) => [...message.matchAll(/\{(\w+)/g)].map((m) => m[1]).sort();
    // The site's messages, with plurals inside: the arguments the parsed message uses, by name.
    type Node = { type: number; value?: unknown; options?: Record<string, { value: Node[] }>; children?: Node[] };
    const argumentsOf = (nodes: Node[], into = new Set<string>()): Set<string> => {
      for (const node of nodes) {
        if (node.type !== 0 && node.type !== 7 && typeof node.value === 'string') into.add(node.value);
        for (const option of Object.values(node.options ?? {})) argumentsOf(option.value, into);
        if (node.children) argumentsOf(node.children, into);
      }
      return into;
    };
    const siteArguments = (message: string, language: string) =>
      [
        ...argumentsOf(new IntlMessageFormat(message, language, undefined, { ignoreTag: true }).getAst() as Node[]),
      ].sort();
    const walk = (node: unknown, trail: string[], visit: (trail: string[], value: string) => void) => {
      if (typeof node === 'string') visit(trail, node);
      else if (node && typeof node === 'object')
        for (const [key, child] of Object.entries(node)) walk(child, [...trail, key], visit);
    };
    walk(byLanguage.en!.bot, ['bot'], (trail, english) => {
      for (const catalog of catalogs) {
        const own = trail.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], catalog) as string;
        expect(placeholders(own), `${catalog.language}: ${trail.join('.')}`).toEqual(placeholders(english));
        expect(() =>
          format(catalog, trail, {
            value: 'x',
            label: 'x',
            url: 'x',
            commit: 'x',
            file: 'x',
            issue: '1',
            date: 'x',
            actual: 2,
            max: 1,
          }),
        ).not.toThrow();
      }
    });
    walk(byLanguage.en!.site, ['site'], (trail, english) => {
      if (trail[1] === 'locale') return;
      for (const catalog of catalogs) {
        const own = trail.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], catalog) as string;
        expect(siteArguments(own, catalog.language), `${catalog.language}: ${trail.join('.')}`).toEqual(
          siteArguments(english, 'en'),
        );
      }
    });
    expect(await readdir(path.join(projectRoot, 'content/i18n'))).toHaveLength(catalogs.length);
  });

  it('name a locale the platform knows for dates and numbers in every language', () => {
    for (const catalog of catalogs) {
      const locale = (catalog.site as { locale: string }).locale;
      expect(Intl.DateTimeFormat.supportedLocalesOf([locale]), catalog.language).toEqual([locale]);
    }
  });
});

describe('Markdown in the strings', () => {
  it('renders every bold phrase in every language as bold (CommonMark’s rules around CJK punctuation)', () => {
    // "**感谢您的签名!**您的…" stays literal asterisks: a closing ** after punctuation must be
    // followed by a space or punctuation. GitHub renders the robot's replies with the same rules.
    const md = new MarkdownIt();
    const walk = (node: unknown, trail: string, visit: (trail: string, value: string) => void) => {
      if (typeof node === 'string') visit(trail, node);
      else if (node && typeof node === 'object')
        for (const [key, child] of Object.entries(node)) walk(child, `${trail}.${key}`, visit);
    };
    for (const catalog of catalogs)
      for (const section of ['form', 'bot', 'site'])
        walk(catalog[section], `${catalog.language}:${section}`, (trail, value) => {
          expect(md.renderInline(value), trail).not.toContain('**');
        });
  });
});

describe('the site’s counts in the reader’s language', () => {
  const count = (language: string, n: number) => format(byLanguage[language]!, ['site', 'count', 'signatures'], { n });

  it('say "1 подпись", "21 подпись", "3 подписи" and "5 подписей" in Russian, with a space in 10 000', () => {
    expect([1, 21, 3, 5, 10000].map((n) => count('ru', n))).toEqual([
      '1 подпись',
      '21 подпись',
      '3 подписи',
      '5 подписей',
      '10\u00a0000 подписей',
    ]);
  });

  it('say "1 signature" and "10,000 signatures" in English and "10,000 个签名" in Chinese', () => {
    expect(count('en', 1)).toBe('1 signature');
    expect(count('en', 10000)).toBe('10,000 signatures');
    expect(count('zh', 10000)).toBe('10,000 个签名');
  });
});

describe('plurals and numbers in the reader’s language', () => {
  const tooLong = (language: string, actual: number) =>
    problemMessage({ code: 'name.tooLong', actual, max: 100 }, (text) => text, byLanguage[language]!);

  it('say "1 символ", "21 символ", "102 символа" and "105 символов" in Russian', () => {
    expect(tooLong('ru', 101)).toContain('101 символ;');
    expect(tooLong('ru', 121)).toContain('121 символ;');
    expect(tooLong('ru', 102)).toContain('102 символа;');
    expect(tooLong('ru', 105)).toContain('105 символов;');
  });

  it('say "1,234 characters" in English and "1234 个字符" style in Chinese', () => {
    expect(tooLong('en', 1234)).toContain('1,234 characters');
    expect(tooLong('zh', 1234)).toMatch(/1,?234 个字符/);
  });

  it('refuse a language file that is not a mapping of texts, naming the file', async () => {
    expect(() => parseCatalog('- a\n- b\n', 'content/i18n/ko.yml')).toThrow('content/i18n/ko.yml');
    expect(() => parseCatalog('language: ko\nname: 한국어\nbot: [1, 2]\n', 'ko.yml')).toThrow('bot must be text');
    expect(await readFile(path.join(projectRoot, 'content/i18n/en.yml'), 'utf8')).toContain('language: en');
  });
});

describe('a message filled in by a template', () => {
  it('prints a value that only looks like a string (a Nunjucks SafeString) as its text', () => {
    const catalog = parseCatalog("language: ru\nname: Русский\nsite:\n  from: '**От:** {senderHtml}'\n", 'ru.yml');
    const safe = { val: 'Организаторы', toString: () => 'Организаторы' } as unknown as string;
    expect(format(catalog, ['site', 'from'], { senderHtml: safe })).toBe('**От:** Организаторы');
  });
});
