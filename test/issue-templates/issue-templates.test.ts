/**
 * The issue forms are validated by GitHub only when someone opens them: a mistake would show
 * signers GitHub's blank-issue fallback or an error page. These tests catch it before pushing.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveSettings, siteBaseUrl } from '../../scripts/core/settings.ts';
import { expectedForms, readCatalogs } from '../../scripts/store/catalogs.ts';
import { petitionProject } from '../helpers/petitions.ts';
import { baseSettings, projectRoot, type BuiltSite } from '../helpers/site.ts';
import { noSignaturesSite } from '../helpers/shared-builds.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

// The forms of the amur-leopard fixture petition (test/helpers/petitions.ts); the live
// repository's are checked against its own language files in test/content/live-content.test.ts.
const leopard = await petitionProject('amur-leopard');
const templates = path.join(leopard, '.github/ISSUE_TEMPLATE');
const readYaml = async (file: string) =>
  parse(await readFile(path.join(templates, file), 'utf8')) as Record<string, any>;
const schema = JSON.parse(
  await readFile(path.join(projectRoot, 'test/fixtures/schemas/github-issue-forms.json'), 'utf8'),
);

function validator() {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join('\n');

/** The fields GitHub puts in the issue body (markdown blocks are not fields). */
const fields = (template: Record<string, any>) =>
  (template.body as Array<Record<string, any>>).filter((element) => element.type !== 'markdown');

const formFiles = (await readdir(templates)).filter((file) => /^(sign|withdraw)(-[a-z-]+)?\.yml$/.test(file)).sort();

describe('the forms of every language', () => {
  it('come in pairs, one sign and one withdraw form for each language file', async () => {
    const languages = (await readdir(path.join(leopard, 'content/i18n'))).map((file) => path.parse(file).name);
    const expected = languages.flatMap((language) =>
      language === baseSettings.language
        ? ['sign.yml', 'withdraw.yml']
        : [`sign-${language}.yml`, `withdraw-${language}.yml`],
    );
    expect(formFiles).toEqual(expected.sort());
  });

  it('are exactly what npm run issue-forms makes from the language files', async () => {
    const forms = expectedForms(await readCatalogs(leopard, String(baseSettings.language)));
    for (const [file, content] of forms) expect(await readFile(path.join(templates, file), 'utf8'), file).toBe(content);
  });

  it('have the same field ids, types and order in every language, and labels of their own', async () => {
    for (const kind of ['sign', 'withdraw']) {
      const files = formFiles.filter((file) => file.startsWith(`${kind}`));
      const shapes = await Promise.all(
        files.map(async (file) => fields(await readYaml(file)).map((field) => `${field.type}:${field.id}`)),
      );
      for (const shape of shapes) expect(shape).toEqual(shapes[0]);
      const firstLabels = await Promise.all(
        files.map(async (file) => fields(await readYaml(file))[0]!.attributes.label),
      );
      expect(new Set(firstLabels).size).toBe(files.length);
    }
  });
});

describe.each(formFiles)('the issue form %s', (file) => {
  it('is a valid GitHub issue form', async () => {
    const validate = validator();
    const template = await readYaml(file);
    expect(validate(template), describeErrors(validate.errors)).toBe(true);
  });

  it('follows the rules GitHub checks beyond the schema: ids of letters, digits, - and _, unique ids and labels', async () => {
    const template = await readYaml(file);
    const ids = fields(template).map((field) => field.id as string);
    const labels = fields(template).map((field) => field.attributes.label as string);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('the schema check itself', () => {
  it('rejects a form GitHub would refuse (a field without a label, an unknown type)', () => {
    const validate = validator();
    expect(validate({ name: 'x', description: 'y', body: [{ type: 'input', id: 'name', attributes: {} }] })).toBe(
      false,
    );
    expect(
      validate({ name: 'x', description: 'y', body: [{ type: 'radio', id: 'a', attributes: { label: 'A' } }] }),
    ).toBe(false);
  });
});

describe('the signature form, as the processor reads it', () => {
  it('asks for name, country, reason and consent, in that order, with the labels the processor parses', async () => {
    const sign = await readYaml('sign.yml');
    expect(fields(sign).map((field) => [field.type, field.id, field.attributes.label])).toEqual([
      ['input', 'name', 'Your name, as it will be shown'],
      ['input', 'country', 'Country or territory'],
      ['textarea', 'reason', 'Why you are signing (optional)'],
      ['checkboxes', 'consent', 'Consent'],
    ]);
    expect(sign.labels).toEqual(['signature']);
  });

  it('requires a name, a country and the consent box, and leaves the reason optional', async () => {
    const byId = Object.fromEntries(fields(await readYaml('sign.yml')).map((field) => [field.id, field]));
    expect(byId.name.validations?.required).toBe(true);
    expect(byId.country.validations?.required).toBe(true);
    expect(byId.reason.validations?.required ?? false).toBe(false);
    expect(byId.consent.attributes.options.every((option: { required?: boolean }) => option.required === true)).toBe(
      true,
    );
  });

  it('lets withdrawal be confirmed with one required box', async () => {
    const withdraw = await readYaml('withdraw.yml');
    expect(fields(withdraw).map((field) => [field.type, field.id, field.attributes.label])).toEqual([
      ['checkboxes', 'confirm', 'Confirmation'],
    ]);
    expect(
      fields(withdraw)[0]!.attributes.options.every((option: { required?: boolean }) => option.required === true),
    ).toBe(true);
    expect(withdraw.labels).toEqual(['withdrawal']);
  });
});

describe('the template chooser (config.yml)', () => {
  it('offers no blank issue, which the processor could not read', async () => {
    expect((await readYaml('config.yml')).blank_issues_enabled).toBe(false);
  });

  it('links to the petition site at its published address', async () => {
    const config = await readYaml('config.yml');
    const settings = resolveSettings(
      JSON.parse(await readFile(path.join(leopard, 'content/settings.json'), 'utf8')),
      {},
    );
    expect(config.contact_links).toEqual(
      expect.arrayContaining([expect.objectContaining({ url: siteBaseUrl(settings) })]),
    );
    for (const link of config.contact_links) {
      expect(Object.keys(link).sort()).toEqual(['about', 'name', 'url']);
      expect(link.url).toMatch(/^https:\/\//);
      expect(link.name.trim()).not.toBe('');
      expect(link.about.trim()).not.toBe('');
    }
  });
});

describe('the site’s signing form and sign.yml', () => {
  let site: BuiltSite;
  beforeAll(async () => {
    site = await noSignaturesSite();
  });

  // One form per language: /sign/ opens sign.yml, /ru/sign/ sign-ru.yml, /zh/sign/ sign-zh.yml.
  it.each([
    ['en', '', 'sign.yml'],
    ['ru', 'ru/', 'sign-ru.yml'],
    ['zh', 'zh/', 'sign-zh.yml'],
  ])(
    'sends exactly the text fields of the %s issue form, by their ids and with its labels, to that form on GitHub',
    async (_language, folder, templateFile) => {
      const sign = await readYaml(templateFile);
      const prefillable = fields(sign)
        .filter((field) => field.type === 'input' || field.type === 'textarea')
        .map((field) => field.id as string);
      for (const page of [`${folder}index.html`, `${folder}sign/index.html`]) {
        const form = (await site.dom(page)).querySelector('form.sign-form');
        expect(form, page).not.toBeNull();
        expect(form!.getAttribute('action')).toBe(`https://github.com/${baseSettings.repository}/issues/new`);
        expect(form!.getAttribute('method')).toBe('get');
        const visible = [...form!.querySelectorAll('input:not([type="hidden"]), textarea, select')].map((element) =>
          element.getAttribute('name'),
        );
        expect(visible, page).toEqual(prefillable);
        const hidden = Object.fromEntries(
          [...form!.querySelectorAll('input[type="hidden"]')].map((element) => [
            element.getAttribute('name'),
            element.getAttribute('value'),
          ]),
        );
        expect(hidden, page).toEqual({ template: templateFile, title: sign.title });
        // Each field's label on the site is the label on GitHub, in the page's language.
        for (const id of prefillable) {
          const control = form!.querySelector(`[name="${id}"]`)!;
          const label = form!.querySelector(`label[for="${control.getAttribute('id')}"]`);
          expect(label?.textContent?.trim(), `${page}: ${id}`).toBe(
            fields(sign).find((field) => field.id === id)!.attributes.label,
          );
        }
      }
    },
  );
});
