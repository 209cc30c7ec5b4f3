/**
 * `npm run add-signatures -- <file.csv|file.json> --evidence <scan> [--batch <id>] [--skip-bad]`:
 * a maintainer adds a batch of signatures collected off GitHub (a typed-up paper sheet, an email
 * export). Every row is checked with the processor's rules; when any is bad, every bad row is
 * reported with its line and nothing is written (unless --skip-bad). Contacts are stored only as
 * a keyed hash. Prints the commit message to use; nothing is committed or pushed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Catalog } from '../core/i18n.ts';
import { parseBatchFile, BATCH_FILE_MAX_BYTES, type ParsedBatchFile } from '../offline/batch-file.ts';
import { planBatch, type BatchPlan } from '../offline/offline-batch.ts';
import { resolveSettings } from '../core/settings.ts';
import { readCatalogs } from '../store/catalogs.ts';
import { letterFileOf } from '../store/derived.ts';
import { letterDigest } from '../core/tally.ts';
import { inertLogText } from '../core/text.ts';
import { signaturesDirectory } from '../store/load-signatures.ts';
import { existingFiles, isInside, readContactKey, type CliResult } from '../offline/offline-tools.ts';

const USAGE = `Usage:
  npm run add-signatures -- <sheet.csv | sheet.json> --evidence <scan or mail export> [--evidence …]
                            [--batch <id>] [--skip-bad] [--language <code> | --letter-sha256 <hex>]
--language: the language of the sheet's letter (es: content/es/letter.md); the default language's
letter otherwise. The signatures are recorded against that letter's SHA-256.
The columns: name, country, reason, date (YYYY-MM-DD), channel (paper or email), collector, contact.
A contact is hashed with PETITION_CONTACT_KEY (or the file PETITION_CONTACT_KEY_FILE names).`;

/** SHA-256 of a file, streamed: a mail export or a folder of scans' archive can be large. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The strings a maintainer reads problems in: the petition's default language, from this
 * checkout's own content/i18n (the signatures folder may be elsewhere).
 */
async function maintainerCatalog(): Promise<Catalog> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const settings = resolveSettings(JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')));
  return (await readCatalogs(root, settings.language))[0]!;
}

/** A step's value, or why the command stops (and its exit status, 1 unless said). */
type Step<T> = { ok: true; value: T } | { ok: false; message: string; code?: number };

type ParsedBatch = Extract<ParsedBatchFile, { ok: true }>;

/** The command line: one sheet, its options. */
function parseCommandLine(argv: string[]) {
  let parsedArgs;
  try {
    parsedArgs = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        batch: { type: 'string' },
        evidence: { type: 'string', multiple: true },
        'skip-bad': { type: 'boolean' },
        'letter-sha256': { type: 'string' },
        language: { type: 'string' },
      },
    });
  } catch (error) {
    return { ok: false, message: `${(error as Error).message}\n${USAGE}`, code: 2 } as const;
  }
  const { positionals, values } = parsedArgs;
  if (positionals.length !== 1) return { ok: false, message: USAGE, code: 2 } as const;
  return { ok: true, value: { input: path.resolve(positionals[0]!), values } } as const;
}

/** The typed-up sheet, bounded in size before it is parsed, and refused inside the repository if it holds contacts. */
async function readSheet(input: string, projectRoot: string): Promise<Step<ParsedBatch>> {
  const format = input.toLowerCase().endsWith('.json') ? 'json' : 'csv';
  let size: number;
  try {
    size = (await stat(input)).size;
  } catch {
    return { ok: false, message: `Cannot read ${input}.` };
  }
  if (size > BATCH_FILE_MAX_BYTES)
    return { ok: false, message: `${input} is larger than ${BATCH_FILE_MAX_BYTES} bytes; split the batch.` };
  const parsed = parseBatchFile(await readFile(input, 'utf8'), format);
  if (!parsed.ok) return { ok: false, message: `${path.basename(input)}: ${parsed.problem}. Nothing was written.` };
  if (isInside(input, projectRoot) && parsed.rows.some((row) => (row.values.contact ?? '').trim() !== ''))
    return {
      ok: false,
      message: `${input} holds contacts and is inside the repository, where it could be committed. Move it out (and keep it with the scans), then run again. Nothing was written.`,
    };
  return { ok: true, value: parsed };
}

/** The SHA-256 of each evidence file, which must stay outside the repository. */
async function hashEvidence(files: readonly string[], projectRoot: string): Promise<Step<string[]>> {
  const evidence: string[] = [];
  for (const file of files) {
    if (isInside(file, projectRoot))
      return {
        ok: false,
        message: `The evidence ${file} is inside the repository; scans and mail exports stay with the maintainers, outside it.`,
      };
    try {
      evidence.push(await fileSha256(file));
    } catch {
      return { ok: false, message: `Cannot read the evidence ${file}.` };
    }
  }
  return { ok: true, value: evidence };
}

/**
 * Writes the batch's files. Every row is checked before the first file is written. Each file is
 * written whole (a temporary name, then a rename); if the run stops midway, running it again finds
 * the files it wrote identical and finishes the batch. The batch record comes last.
 */
async function writeBatch(directory: string, writes: readonly { path: string; text: string }[]): Promise<void> {
  for (const write of writes) {
    const target = path.join(directory, write.path);
    await mkdir(path.dirname(target), { recursive: true });
    // A fixed name: a run that died between the write and the rename leaves one, which the next run reuses.
    const temporary = `${target}.tmp`;
    await writeFile(temporary, write.text);
    await rename(temporary, target);
  }
}

/** What the maintainer reads once the batch is written: what was added, and the commit message. */
function addedReport(
  plan: Extract<BatchPlan, { ok: true }>,
  directory: string,
  unit: string,
  letterNote: string,
): string[] {
  const signers = plan.writes.length - 1;
  return [
    `Added ${signers} signature file${signers === 1 ? '' : 's'} under ${path.join(directory, 'offline')}` +
      (plan.alreadyWritten ? ` (${plan.alreadyWritten} were already written by an interrupted run)` : '') +
      (plan.problems.length ? `; left out ${plan.record.skipped_lines.length} bad ${unit}(s), listed above` : '') +
      '.',
    '',
    letterNote,
    '',
    'Review the change with `git status` and `git diff`, then commit it with this message:',
    '',
    ...plan.commitMessage
      .trimEnd()
      .split('\n')
      .map((line) => (line ? `  ${line}` : '')),
  ];
}

/**
 * The letter the signers read: the sheet's language's (a Spanish sheet carries the Spanish
 * letter), or the one whose digest the maintainer names; with the sentence the report says of it.
 */
async function sheetLetter(
  values: { language?: string; 'letter-sha256'?: string },
  projectRoot: string,
): Promise<Step<{ sha256: string; note: string }>> {
  const given = values['letter-sha256']?.trim().toLowerCase();
  if (given !== undefined) {
    if (values.language !== undefined)
      return {
        ok: false,
        message: 'Give either --language or --letter-sha256: the language names its letter.',
        code: 2,
      };
    return {
      ok: true,
      value: { sha256: given, note: `The signatures are recorded against the letter with SHA-256 ${given}.` },
    };
  }
  const settings = resolveSettings(JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')));
  const language = values.language?.trim() || settings.language;
  const languages = (await readCatalogs(projectRoot, settings.language).catch(() => [])).map((c) => c.language);
  if (languages.length > 0 && !languages.includes(language))
    return {
      ok: false,
      message: `--language ${inertLogText(language, 40)} is not a language of this petition (${languages.join(', ')}). Nothing was written.`,
      code: 2,
    };
  const letterFile = letterFileOf(language, settings.language);
  let letterText: string;
  try {
    letterText = await readFile(path.join(projectRoot, letterFile), 'utf8');
  } catch {
    return {
      ok: false,
      message: `${letterFile} does not exist: the ${language} letter is needed to record the sheet against it.`,
    };
  }
  const sha256 = letterDigest(letterText);
  return {
    ok: true,
    value: {
      sha256,
      note: `The signatures are recorded against the ${language} letter, ${letterFile} (SHA-256 ${sha256}).`,
    },
  };
}

/** Runs the command against `projectRoot` (signatures in SIGNATURES_DIR or signatures/). */
export async function addSignatures(
  argv: string[],
  { projectRoot, env, now }: { projectRoot: string; env: NodeJS.ProcessEnv; now: Date },
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const failed = (message: string, code = 1): CliResult => ({ code, out, err: [...err, message] });
  const commandLine = parseCommandLine(argv);
  if (!commandLine.ok) return failed(commandLine.message, commandLine.code);
  const { input, values } = commandLine.value;

  const key = readContactKey(env, projectRoot);
  if (!key.ok) return failed(key.problem);
  const parsed = await readSheet(input, projectRoot);
  if (!parsed.ok) return failed(parsed.message);
  const evidence = await hashEvidence(values.evidence ?? [], projectRoot);
  if (!evidence.ok) return failed(evidence.message);

  const letter = await sheetLetter(values, projectRoot);
  if (!letter.ok) return failed(letter.message, letter.code);
  const { sha256: letterSha256, note: letterNote } = letter.value;

  const batch =
    values.batch ??
    path
      .basename(input)
      .replace(/\.[^.]*$/, '')
      .toLowerCase();
  const directory = signaturesDirectory(env, projectRoot);
  const { rows, unit } = parsed.value;
  const plan = planBatch(
    rows,
    unit,
    {
      batch,
      evidenceSha256: evidence.value,
      letterSha256,
      contactKey: key.key,
      skipBad: values['skip-bad'] ?? false,
      today: now.toISOString().slice(0, 10),
      catalog: await maintainerCatalog(),
    },
    existingFiles(directory),
  );

  const report = (problems: { line: number; message: string }[]) => {
    for (const problem of problems) err.push(`${unit} ${problem.line}: ${inertLogText(problem.message, 400)}`);
  };
  report(plan.problems);
  if (!plan.ok) {
    if (plan.fatal) return failed(plan.fatal);
    const lines = new Set(plan.problems.map((problem) => problem.line)).size;
    return failed(
      `${lines} bad ${unit}${lines === 1 ? '' : 's'} of ${rows.length}. Nothing was written. Fix them, or run again with --skip-bad to add the others.`,
    );
  }
  await writeBatch(directory, plan.writes);
  out.push(...addedReport(plan, directory, unit, letterNote));
  return { code: 0, out, err };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const result = await addSignatures(process.argv.slice(2), { projectRoot, env: process.env, now: new Date() });
  if (result.err.length) console.error(result.err.join('\n'));
  if (result.out.length) console.log(result.out.join('\n'));
  process.exitCode = result.code;
}
