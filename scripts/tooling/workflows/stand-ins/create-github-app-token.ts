/**
 * Stand-in for actions/create-github-app-token@v3.2.0: mints an installation-style token. The
 * fake API in the workflow tests accepts any token, so this one works there; nothing is signed.
 */
import { randomBytes } from 'node:crypto';
import { getInput, run, setOutput } from './toolkit.ts';

run(async () => {
  if (!getInput('client-id') && !getInput('app-id')) throw new Error('Either client-id or app-id is required');
  if (!getInput('private-key')) throw new Error('Input required and not supplied: private-key');
  const token = `ghs_local${randomBytes(16).toString('hex')}`;
  process.stdout.write(`::add-mask::${token}\n`);
  setOutput('token', token);
  setOutput('installation-id', '1');
  setOutput('app-slug', 'petition-local');
});
