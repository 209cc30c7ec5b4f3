/**
 * Reading an issue body made by a GitHub issue form. GitHub renders each field as
 * "### <label>", a blank line, then the value ("_No response_" when empty; "- [X] option" for
 * checkboxes). A signer controls the values, and a value can itself contain a line
 * "### <another label>": so the body is parsed against the template's known labels, in the
 * template's order, and rejected when an answer contains one of those headings.
 */
import type { Problem } from './messages.ts';

export interface FormField {
  id: string;
  label: string;
  type: 'input' | 'textarea' | 'dropdown' | 'checkboxes';
  /** Checkbox option labels, in order. */
  options: string[];
}

/** Field values by id: text for inputs/textareas/dropdowns, ticked flags for checkboxes. */
export type FormValues = Record<string, string | boolean[]>;

export type ParsedIssueForm = { ok: true; values: FormValues } | { ok: false; problem: Problem };

/**
 * The longest body the signing form can produce is about 14,000 code units (its labels, a name of
 * at most 1,200 bytes and a reason of at most 12,000); GitHub accepts 65,536. Anything longer is
 * refused before a single pattern runs.
 */
export const ISSUE_BODY_MAX_CODE_UNITS = 16_384;

/**
 * The fields of an issue form template (the parsed YAML of .github/ISSUE_TEMPLATE/<form>.yml),
 * skipping markdown blocks, which GitHub does not put in the body. Throws if the template is
 * malformed, because that is a configuration error, not a signer's.
 */
export function formFieldsFromTemplate(template: unknown): FormField[] {
  const body = (template as { body?: unknown })?.body;
  if (!Array.isArray(body)) throw new Error('Issue form template has no "body" list.');
  const fields: FormField[] = [];
  for (const element of body as Array<Record<string, unknown>>) {
    const type = element.type;
    if (type === 'markdown') continue;
    if (type !== 'input' && type !== 'textarea' && type !== 'dropdown' && type !== 'checkboxes')
      throw new Error(`Unsupported issue form element type: ${String(type)}`);
    const attributes = (element.attributes ?? {}) as { label?: unknown; options?: unknown };
    if (typeof element.id !== 'string' || typeof attributes.label !== 'string')
      throw new Error('Every issue form field needs an id and a label.');
    const options =
      type === 'checkboxes' && Array.isArray(attributes.options)
        ? (attributes.options as Array<{ label?: unknown }>).map((option) => String(option.label ?? ''))
        : [];
    fields.push({ id: element.id, label: attributes.label, type, options });
  }
  return fields;
}

const EMPTY_VALUES = new Set(['_No response_', 'None']);

/**
 * A heading or option as it is compared: NFKC folds full-width punctuation to ASCII
 * ("您的姓名（将按此显示）" and "您的姓名(将按此显示)" read alike), so a form whose labels
 * change only in punctuation still reads the issues opened with it before, which stay open
 * when the change lands.
 */
const comparable = (line: string) => line.trimEnd().normalize('NFKC');

/** Parses `body` against `fields` (in order). Pure; never throws on signer input. */
export function parseIssueForm(body: string | null | undefined, fields: readonly FormField[]): ParsedIssueForm {
  const raw = body ?? '';
  if (raw.length > ISSUE_BODY_MAX_CODE_UNITS)
    return { ok: false, problem: { code: 'structure.tooLong', actual: raw.length, max: ISSUE_BODY_MAX_CODE_UNITS } };
  const text = raw.replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const headings = fields.map((field) => comparable(`### ${field.label}`));
  // Only a line starting "###" can be a heading: the others are not normalised at all.
  const folded = lines.map((line) => (line.startsWith('###') ? comparable(line) : ''));
  const isKnownHeading = (i: number) => folded[i] !== '' && headings.includes(folded[i]!);

  // Find each field's heading in template order; each must come after the previous one.
  const starts: number[] = [];
  let cursor = 0;
  for (const heading of headings) {
    const index = folded.indexOf(heading, cursor);
    if (index === -1) return { ok: false, problem: { code: 'structure.notFromForm' } };
    starts.push(index);
    cursor = index + 1;
  }
  if (lines.slice(0, starts[0]).some((line) => line.trim() !== ''))
    return { ok: false, problem: { code: 'structure.notFromForm' } };

  const values: FormValues = {};
  for (const [position, field] of fields.entries()) {
    const end = position + 1 < fields.length ? starts[position + 1]! : lines.length;
    const valueLines = lines.slice(starts[position]! + 1, end);
    for (let i = starts[position]! + 1; i < end; i += 1)
      if (isKnownHeading(i))
        return { ok: false, problem: { code: 'structure.headingInAnswer', label: lines[i]!.trim().slice(4) } };
    const value = valueLines.join('\n').trim();
    if (field.type === 'checkboxes') {
      values[field.id] = field.options.map((option) =>
        valueLines.some((line) => {
          const item = line.trim();
          return (
            (item.startsWith('- [x] ') || item.startsWith('- [X] ')) &&
            comparable(item.slice(6).trim()) === comparable(option)
          );
        }),
      );
    } else {
      values[field.id] = EMPTY_VALUES.has(value) ? '' : value;
    }
  }
  return { ok: true, values };
}

/** Renders values as GitHub would render the form: for fixtures, the local demo and benchmarks. */
export function renderIssueForm(
  fields: readonly FormField[],
  values: Record<string, string | boolean[] | undefined>,
): string {
  return fields
    .map((field) => {
      const value = values[field.id];
      if (field.type === 'checkboxes') {
        const ticked = Array.isArray(value) ? value : [];
        return `### ${field.label}\n\n${field.options.map((option, i) => `- [${ticked[i] ? 'X' : ' '}] ${option}`).join('\n')}`;
      }
      const textValue =
        typeof value === 'string' && value.trim() !== '' ? value : field.type === 'dropdown' ? 'None' : '_No response_';
      return `### ${field.label}\n\n${textValue}`;
    })
    .join('\n\n');
}
