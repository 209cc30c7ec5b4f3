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
import { parseBatchFile, planBatch, BATCH_FILE_MAX_BYTES } from '../offline/offline-batch.ts';
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

/** Runs the command against `projectRoot` (signatures in SIGNATURES_DIR or signatures/). */
/**
 * The strings a maintainer reads problems in: the petition's default language, from this
 * checkout's own content/i18n (the signatures folder may be elsewhere).
 */
async function maintainerCatalog(): Promise<Catalog> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const settings = resolveSettings(JSON.parse(await readFile(path.join(root, 'content/settings.json'), 'utf8')));
  return (await readCatalogs(root, settings.language))[0]!;
}

export async function addSignatures(
  argv: string[],
  { projectRoot, env, now }: { projectRoot: string; env: NodeJS.ProcessEnv; now: Date },
): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const failed = (message: string, code = 1): CliResult => ({ code, out, err: [...err, message] });
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
    return failed(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { positionals, values } = parsedArgs;
  if (positionals.length !== 1) return failed(USAGE, 2);
  const input = path.resolve(positionals[0]!);
  const format = input.toLowerCase().endsWith('.json') ? 'json' : 'csv';

  const key = readContactKey(env, projectRoot);
  if (!key.ok) return failed(key.problem);

  let size: number;
  try {
    size = (await stat(input)).size;
  } catch {
    return failed(`Cannot read ${input}.`);
  }
  if (size > BATCH_FILE_MAX_BYTES)
    return failed(`${input} is larger than ${BATCH_FILE_MAX_BYTES} bytes; split the batch.`);
  const parsed = parseBatchFile(await readFile(input, 'utf8'), format);
  if (!parsed.ok) return failed(`${path.basename(input)}: ${parsed.problem}. Nothing was written.`);
  if (isInside(input, projectRoot) && parsed.rows.some((row) => (row.values.contact ?? '').trim() !== ''))
    return failed(
      `${input} holds contacts and is inside the repository, where it could be committed. Move it out (and keep it with the scans), then run again. Nothing was written.`,
    );

  const evidence: string[] = [];
  for (const file of values.evidence ?? []) {
    if (isInside(file, projectRoot))
      return failed(
        `The evidence ${file} is inside the repository; scans and mail exports stay with the maintainers, outside it.`,
      );
    try {
      evidence.push(await fileSha256(file));
    } catch {
      return failed(`Cannot read the evidence ${file}.`);
    }
  }

  // The letter the signers read: the sheet's language's (a Spanish sheet carries the Spanish
  // letter), or the one whose digest the maintainer names.
  let letterSha256 = values['letter-sha256']?.trim().toLowerCase();
  let letterNote: string;
  if (letterSha256 !== undefined) {
    if (values.language !== undefined)
      return failed('Give either --language or --letter-sha256: the language names its letter.', 2);
    letterNote = `The signatures are recorded against the letter with SHA-256 ${letterSha256}.`;
  } else {
    const settings = resolveSettings(
      JSON.parse(await readFile(path.join(projectRoot, 'content/settings.json'), 'utf8')),
    );
    const language = values.language?.trim() || settings.language;
    const languages = (await readCatalogs(projectRoot, settings.language).catch(() => [])).map((c) => c.language);
    if (languages.length > 0 && !languages.includes(language))
      return failed(
        `--language ${inertLogText(language, 40)} is not a language of this petition (${languages.join(', ')}). Nothing was written.`,
        2,
      );
    const letterFile = letterFileOf(language, settings.language);
    let letterText: string;
    try {
      letterText = await readFile(path.join(projectRoot, letterFile), 'utf8');
    } catch {
      return failed(`${letterFile} does not exist: the ${language} letter is needed to record the sheet against it.`);
    }
    letterSha256 = letterDigest(letterText);
    letterNote = `The signatures are recorded against the ${language} letter, ${letterFile} (SHA-256 ${letterSha256}).`;
  }

  const batch =
    values.batch ??
    path
      .basename(input)
      .replace(/\.[^.]*$/, '')
      .toLowerCase();
  const directory = signaturesDirectory(env, projectRoot);
  const plan = planBatch(
    parsed.rows,
    parsed.unit,
    {
      batch,
      evidenceSha256: evidence,
      letterSha256,
      contactKey: key.key,
      skipBad: values['skip-bad'] ?? false,
      today: now.toISOString().slice(0, 10),
      catalog: await maintainerCatalog(),
    },
    existingFiles(directory),
  );

  const unit = parsed.unit;
  const report = (problems: { line: number; message: string }[]) => {
    for (const problem of problems) err.push(`${unit} ${problem.line}: ${inertLogText(problem.message, 400)}`);
  };
  if (!plan.ok) {
    if (plan.fatal) {
      report(plan.problems);
      return failed(plan.fatal);
    }
    report(plan.problems);
    const lines = new Set(plan.problems.map((problem) => problem.line)).size;
    return failed(
      `${lines} bad ${unit}${lines === 1 ? '' : 's'} of ${parsed.rows.length}. Nothing was written. Fix them, or run again with --skip-bad to add the others.`,
    );
  }
  report(plan.problems);

  // Every row is checked before the first file is written. Each file is written whole (a
  // temporary name, then a rename); if the run stops midway, running it again finds the files it
  // wrote identical and finishes the batch. The batch record comes last.
  for (const write of plan.writes) {
    const target = path.join(directory, write.path);
    await mkdir(path.dirname(target), { recursive: true });
    // A fixed name: a run that died between the write and the rename leaves one, which the next run reuses.
    const temporary = `${target}.tmp`;
    await writeFile(temporary, write.text);
    await rename(temporary, target);
  }

  const signers = plan.writes.length - 1;
  out.push(
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
  );
  return { code: 0, out, err };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const result = await addSignatures(process.argv.slice(2), { projectRoot, env: process.env, now: new Date() });
  if (result.err.length) console.error(result.err.join('\n'));
  if (result.out.length) console.log(result.out.join('\n'));
  process.exitCode = result.code;
}
