/**
 * The issue forms, one pair (sign, withdraw) per language, made from each language's strings.
 * GitHub's issue forms cannot switch language, so each language has its own templates with the
 * same field ids and its own labels; the processor reads a body against every language's labels
 * and so knows, strictly, which form (and language) made it. Pure: catalog in, YAML text out.
 */
import YAML from 'yaml';
import { text, type Catalog } from './i18n.ts';

export type FormKind = 'sign' | 'withdraw';

/** The label the processor sweeps for each kind. */
export const FORM_LABELS: Record<FormKind, string> = { sign: 'signature', withdraw: 'withdrawal' };

/** sign.yml for the default language (the link everyone already has), sign-ru.yml for Russian. */
export function templateFileName(kind: FormKind, language: string, defaultLanguage: string): string {
  return language === defaultLanguage ? `${kind}.yml` : `${kind}-${language}.yml`;
}

/** The language a template file name says, or undefined when it is not one of ours. */
export function templateLanguage(
  fileName: string,
  defaultLanguage: string,
): { kind: FormKind; language: string } | undefined {
  const match = /^(sign|withdraw)(?:-([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*))?\.ya?ml$/.exec(fileName);
  if (!match) return undefined;
  return { kind: match[1] as FormKind, language: match[2] ?? defaultLanguage };
}

/** The sign form as GitHub reads it. Field ids are the site form's field names. */
export function signTemplate(catalog: Catalog): Record<string, unknown> {
  const t = (key: string) => text(catalog, ['form', 'sign', key]);
  return {
    name: t('name'),
    description: t('description'),
    title: t('title'),
    labels: [FORM_LABELS.sign],
    body: [
      { type: 'markdown', attributes: { value: t('intro') } },
      {
        type: 'input',
        id: 'name',
        attributes: { label: t('name_label'), description: t('name_hint') },
        validations: { required: true },
      },
      {
        type: 'input',
        id: 'country',
        attributes: {
          label: t('country_label'),
          description: t('country_hint'),
          placeholder: t('country_placeholder'),
        },
        validations: { required: true },
      },
      {
        type: 'textarea',
        id: 'reason',
        attributes: { label: t('reason_label'), description: t('reason_hint') },
        validations: { required: false },
      },
      {
        type: 'checkboxes',
        id: 'consent',
        attributes: { label: t('consent_label'), options: [{ label: t('consent_option'), required: true }] },
      },
    ],
  };
}

/** The withdrawal form: one box to tick, from the account that signed. */
export function withdrawTemplate(catalog: Catalog): Record<string, unknown> {
  const t = (key: string) => text(catalog, ['form', 'withdraw', key]);
  return {
    name: t('name'),
    description: t('description'),
    title: t('title'),
    labels: [FORM_LABELS.withdraw],
    body: [
      { type: 'markdown', attributes: { value: t('intro') } },
      {
        type: 'checkboxes',
        id: 'confirm',
        attributes: { label: t('confirm_label'), options: [{ label: t('confirm_option'), required: true }] },
      },
    ],
  };
}

/** The template file's text, with a header that says where to edit it. */
export function renderTemplate(kind: FormKind, catalog: Catalog): string {
  const template = kind === 'sign' ? signTemplate(catalog) : withdrawTemplate(catalog);
  const header = [
    `# Made by \`npm run issue-forms\` from content/i18n/${catalog.language}.yml: edit that file, not this one.`,
    '# The processor parses issue bodies against these labels, in this order: changing a label',
    '# changes what it can read (open issues made with the old label would no longer parse).',
  ].join('\n');
  return `${header}\n${YAML.stringify(template, { lineWidth: 0 })}`;
}
