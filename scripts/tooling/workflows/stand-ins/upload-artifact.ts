/**
 * Stand-in for actions/upload-artifact@v4.6.2, as upload-pages-artifact and pages.yml use it:
 * one file, handed to the local artifact store under the run with its name (the real action puts
 * it in the artifact's zip by that name). No file: as the real action, an error, a warning or
 * nothing, by `if-no-files-found`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { getInput, run, setOutput } from './toolkit.ts';
import { servicesRequest } from './services-client.ts';

run(async () => {
  const file = getInput('path');
  if (!existsSync(file)) {
    const noFiles = `No files were found with the provided path: ${file}. No artifacts will be uploaded.`;
    const when = getInput('if-no-files-found') || 'warn';
    if (when === 'error') throw new Error(noFiles);
    if (when === 'warn') process.stdout.write(`::warning::${noFiles}\n`);
    else process.stdout.write(`${noFiles}\n`);
    return;
  }
  if (!statSync(file).isFile()) throw new Error(`the local stand-in uploads exactly one file, and ${file} is not one`);
  const name = getInput('name') || 'artifact';
  const answer = (await (
    await servicesRequest(
      'PUT',
      `/artifacts/${encodeURIComponent(name)}?file=${encodeURIComponent(path.basename(file))}`,
      readFileSync(file),
    )
  ).json()) as { id: number };
  setOutput('artifact-id', String(answer.id));
});
