/**
 * Stand-in for actions/upload-artifact@v4.6.2, as upload-pages-artifact uses it: one file,
 * handed to the local artifact store under the run.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { getInput, run, setOutput } from './toolkit.ts';
import { servicesRequest } from './services-client.ts';

run(async () => {
  const file = getInput('path');
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (getInput('if-no-files-found') === 'error')
      throw new Error(`No files were found with the provided path: ${file}`);
    throw new Error(`the local stand-in uploads exactly one file, and ${file} is not one`);
  }
  const name = getInput('name') || 'artifact';
  const answer = (await (
    await servicesRequest('PUT', `/artifacts/${encodeURIComponent(name)}`, readFileSync(file))
  ).json()) as { id: number };
  setOutput('artifact-id', String(answer.id));
});
