/**
 * Code a newcomer can read: no source file in scripts/ over 400 lines and no function over 80,
 * measured with the TypeScript compiler's own parser. The benchmark (scripts/tooling/bench*) is
 * left out: it is a measuring rig, not the petition.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/site.ts';

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

/**
 * Files allowed over a limit for a while (none today): a split that would collide with work in
 * progress can wait here. The list only shrinks: a file here that is within the limits fails the
 * test until it is taken off.
 */
const PENDING_SPLIT = new Set<string>([]);

const isBenchmark = (file: string) => /^scripts\/tooling\/bench(\.ts$|\/)/.test(file);

/** Every TypeScript source of scripts/ (benchmark aside) and the Eleventy configuration. */
async function measuredFiles(): Promise<string[]> {
  const entries = await readdir(path.join(projectRoot, 'scripts'), { withFileTypes: true, recursive: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(projectRoot, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !file.includes('/node_modules/') && !isBenchmark(file));
  return [...files, '.eleventy.ts'].sort();
}

/** The name a function is known by, if it has one: declared, a method, or assigned to a name. */
function functionName(node: ts.Node, source: ts.SourceFile): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isAccessor(node))
    return node.name?.getText(source) ?? 'default';
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (!ts.isArrowFunction(node) && !ts.isFunctionExpression(node)) return undefined;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(source);
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken)
    return parent.left.getText(source);
  return undefined;
}

/** Each named function of a source text over `limit` lines, from its first line to its last. */
function longFunctions(file: string, text: string, limit = MAX_FUNCTION_LINES): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const name = functionName(node, source);
    if (name !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      if (last - first + 1 > limit) found.push(`${file}: ${name}() has ${last - first + 1} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** What is too long in one file: the file itself, and each function. */
function problems(file: string, text: string): string[] {
  const lines = text.replace(/\n$/, '').split('\n').length;
  const fileProblem = lines > MAX_FILE_LINES ? [`${file} has ${lines} lines`] : [];
  return [...fileProblem, ...longFunctions(file, text)];
}

describe('the size of the code in scripts/', () => {
  it(`keeps every file to ${MAX_FILE_LINES} lines and every function to ${MAX_FUNCTION_LINES}`, async () => {
    const found: string[] = [];
    for (const file of await measuredFiles()) {
      if (PENDING_SPLIT.has(file)) continue;
      found.push(...problems(file, await readFile(path.join(projectRoot, file), 'utf8')));
    }
    expect(found).toEqual([]);
  });

  it('lists as pending a split only files that still need one, so the list only shrinks', async () => {
    const files = new Set(await measuredFiles());
    const needless: string[] = [];
    for (const file of PENDING_SPLIT) {
      if (!files.has(file)) needless.push(`${file} (gone)`);
      else if (problems(file, await readFile(path.join(projectRoot, file), 'utf8')).length === 0) needless.push(file);
    }
    expect(needless).toEqual([]);
  });

  it('measures declared functions, methods and named arrow functions from first line to last', () => {
    const body = (lines: number) => Array.from({ length: lines - 2 }, (_, index) => `  step(${index});`).join('\n');
    const text = [
      `export function declared() {\n${body(81)}\n}`,
      `const arrow = () => {\n${body(81)}\n};`,
      `class Thing {\n  method() {\n${body(81)}\n  }\n}`,
      `const object = { handle: function () {\n${body(81)}\n} };`,
      `export function fits() {\n${body(80)}\n}`,
      `items.forEach(() => {\n${body(200)}\n});`,
    ].join('\n');
    expect(longFunctions('sample.ts', text)).toEqual([
      'sample.ts: declared() has 81 lines',
      'sample.ts: arrow() has 81 lines',
      'sample.ts: method() has 81 lines',
      'sample.ts: handle() has 81 lines',
    ]);
  });
});
