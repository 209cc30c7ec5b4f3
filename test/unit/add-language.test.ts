import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { localiseLinks, nativeName, scaffoldCatalog, scaffoldPage, TODO } from '../../scripts/commands/add-language.ts';
import { missingKeys } from '../../scripts/core/i18n.ts';

const english = `# Comment
language: en
name: English
form:
  sign:
    name: Sign the petition
site:
  locale: en-GB
  home:
    goal: 'Our goal is {goal, plural, one {# signature} other {# signatures}}.'
`;

describe('npm run add-language', () => {
  it('scaffolds a language file with every key of the default one, each text marked to translate', () => {
    const text = scaffoldCatalog(english, 'es', 'en');
    const catalog = YAML.parse(text);
    expect(catalog).toMatchObject({ language: 'es', name: 'Español', site: { locale: 'es' } });
    expect(missingKeys(YAML.parse(english), catalog)).toEqual([]);
    expect(text).toContain(`name: Sign the petition # ${TODO}`);
    expect(text.match(new RegExp(TODO, 'g'))?.length).toBe(4); // two texts, the locale, the header
  });

  it('scaffolds a page under /<code>/ that says what it translates, with its links to the site’s pages in the new language', () => {
    const page = scaffoldPage(
      '---\nlayout: base.njk\ntitle: How it works\npermalink: /how-it-works/\n---\nSee [the sheet](/sheet/), [sign](/#sign), [the data](/data/tally.json) and [a version](/letter/versions/abc/).\n',
      'how-it-works.md',
      'es',
    );
    expect(page).toMatch(/^---\n# TODO: translate/);
    expect(page).toContain('permalink: /es/how-it-works/\ntranslation_of: /how-it-works/\n');
    expect(page).not.toContain('permalink: /how-it-works/');
    expect(page).toContain(
      '[the sheet](/es/sheet/), [sign](/es/#sign), [the data](/data/tally.json) and [a version](/letter/versions/abc/)',
    );
    expect(scaffoldPage('---\nlayout: home.njk\n---\nHi\n', 'index.md', 'pt-BR')).toContain(
      'permalink: /pt-BR/\ntranslation_of: /\n',
    );
  });

  it('names a language in its own words, or by its code when the platform does not know it', () => {
    expect(nativeName('ru')).toBe('Русский');
    expect(nativeName('qaa')).toBe('qaa');
    expect(localiseLinks('[x](/poster/)', 'uk')).toBe('[x](/uk/poster/)');
  });
});
