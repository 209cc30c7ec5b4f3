/** Stand-in for actions/checkout's post step: removes the credentials a checkout persisted. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { info, run } from './toolkit.ts';

run(async () => {
  const dir = process.env.STATE_repositoryPath;
  const key = process.env.STATE_headerKey;
  if (!dir || !key || !existsSync(dir)) return;
  spawnSync('git', ['config', '--local', '--unset-all', key], { cwd: dir });
  info(`Removed ${key}`);
});
