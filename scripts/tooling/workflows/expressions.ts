/**
 * `${{ }}` expressions and workflow template tokens, evaluated with GitHub's own lexer, parser and
 * evaluator (@actions/expressions) so that the local runner agrees with GitHub on every operator,
 * coercion and built-in function. The runner supplies the contexts and the functions GitHub's
 * runner adds (success(), always(), failure(), cancelled(), hashFiles()). A context or function
 * it does not know is an error, never an empty string.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';

/** Plain JSON as the runner keeps contexts. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The contexts GitHub offers in job and step expressions. */
export const CONTEXT_NAMES = [
  'github',
  'env',
  'vars',
  'job',
  'jobs',
  'steps',
  'runner',
  'secrets',
  'strategy',
  'matrix',
  'needs',
  'inputs',
] as const;

/** What an expression is evaluated against. */
export interface ExpressionScope {
  contexts: Partial<Record<(typeof CONTEXT_NAMES)[number], Json>>;
  /** Extra functions: status checks and hashFiles, which depend on the job's state. */
  functions: Record<string, { minArgs: number; maxArgs: number; call: (...args: Json[]) => Json }>;
}

/** Converts plain JSON into the evaluator's data model. */
export function toExpressionData(value: Json): data.ExpressionData {
  return JSON.parse(JSON.stringify(value), data.reviver) as data.ExpressionData;
}

/** Converts the evaluator's data model back into plain JSON. */
export function fromExpressionData(value: data.ExpressionData): Json {
  if (value instanceof data.Null) return null;
  if (value instanceof data.BooleanData) return value.value;
  if (value instanceof data.NumberData) return value.value;
  if (value instanceof data.StringData) return value.value;
  if (value instanceof data.Array) return value.values().map(fromExpressionData);
  if (value instanceof data.Dictionary)
    return Object.fromEntries(value.pairs().map(({ key, value: item }) => [key, fromExpressionData(item)]));
  return null;
}

/** GitHub's truthiness: null, false, 0, NaN and '' are false; everything else true. */
export function truthy(value: Json): boolean {
  if (value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  return true;
}

/** GitHub's string form of a value put into a string (`${{ }}` inside text, env, inputs). */
export function asString(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  // Objects and arrays come out as JSON, as on GitHub.
  return JSON.stringify(value, null, 2);
}

/** Evaluates one expression (the text inside `${{ }}`); throws on unknown names or bad syntax. */
export function evaluate(expression: string, scope: ExpressionScope): Json {
  const { tokens } = new Lexer(expression).lex();
  const functions = Object.entries(scope.functions).map(([name, fn]) => ({ name, ...fn }));
  const ast = new Parser(tokens, [...CONTEXT_NAMES], functions).parse();
  const context = new data.Dictionary();
  for (const [name, value] of Object.entries(scope.contexts)) context.add(name, toExpressionData(value ?? null));
  const definitions = new Map<string, FunctionDefinition>(
    functions.map((fn) => [
      fn.name.toLowerCase(),
      {
        name: fn.name,
        minArgs: fn.minArgs,
        maxArgs: fn.maxArgs,
        call: (...args: data.ExpressionData[]) => toExpressionData(fn.call(...args.map(fromExpressionData))),
      },
    ]),
  );
  return fromExpressionData(new Evaluator(ast, context, definitions).evaluate());
}

/** Evaluates a template token from the workflow parser: literals as they are, expressions evaluated. */
export function evaluateToken(token: TemplateToken | undefined, scope: ExpressionScope): Json {
  if (!token) return null;
  if (isBasicExpression(token)) return evaluate(token.expression, scope);
  if (isString(token)) return token.value;
  if (isBoolean(token)) return token.value;
  if (isNumber(token)) return token.value;
  if (isSequence(token)) {
    const items: Json[] = [];
    for (let index = 0; index < token.count; index += 1) items.push(evaluateToken(token.get(index), scope));
    return items;
  }
  if (isMapping(token)) {
    const result: { [key: string]: Json } = {};
    for (let index = 0; index < token.count; index += 1) {
      const pair = token.get(index);
      result[asString(evaluateToken(pair.key, scope))] = evaluateToken(pair.value, scope);
    }
    return result;
  }
  // A null token (an empty YAML value).
  return null;
}

/** Finds a key in a mapping token (the parser keeps what its typed model drops, like `with:`). */
export function mappingValue(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  if (!token || !isMapping(token)) return undefined;
  for (let index = 0; index < token.count; index += 1) {
    const pair = token.get(index);
    if (isString(pair.key) && pair.key.value === key) return pair.value;
  }
  return undefined;
}

/** Converts a glob of hashFiles (`*`, `**`, `?`) to a regular expression over /-separated paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '*' && pattern[index + 1] === '*') {
      // `**` is any number of path segments; `dir/**` also matches everything below dir.
      source += '.*';
      index += 1;
      if (pattern[index + 1] === '/') index += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}(?:/.*)?$`);
}

/** The files of a folder, relative and /-separated, in path order, without .git. */
function listFiles(root: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const name of readdirSync(path.join(root, prefix)).sort()) {
    if (name === '.git') continue;
    const relative = prefix ? `${prefix}/${name}` : name;
    const stats = statSync(path.join(root, relative), { throwIfNoEntry: false });
    if (stats?.isDirectory()) files.push(...listFiles(root, relative));
    else if (stats?.isFile()) files.push(relative);
  }
  return files;
}

/**
 * hashFiles() as GitHub's runner computes it: the SHA-256 of the SHA-256 digests of the files
 * under `workspace` that match any pattern (a `!pattern` excludes), in path order; '' when none.
 */
export function hashFiles(workspace: string, patterns: string[]): string {
  const include = patterns.filter((p) => !p.startsWith('!')).map((p) => globToRegExp(p.replace(/^\.\//, '')));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1).replace(/^\.\//, '')));
  const matched = listFiles(workspace).filter(
    (file) => include.some((re) => re.test(file)) && !exclude.some((re) => re.test(file)),
  );
  if (matched.length === 0) return '';
  const result = createHash('sha256');
  for (const file of matched)
    result.update(
      createHash('sha256')
        .update(readFileSync(path.join(workspace, file)))
        .digest(),
    );
  return result.digest('hex');
}
