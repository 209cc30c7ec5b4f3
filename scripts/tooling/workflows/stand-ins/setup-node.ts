/**
 * Stand-in for actions/setup-node@v6.2.0: the real action downloads the Node it is asked for.
 * Locally the running Node is the only one: the step checks that it satisfies node-version (same
 * major; `lts/*` and `lts/<name>` are satisfied by any LTS release line, since which line is
 * newest cannot be known offline) and adds nothing to PATH. `cache: npm` is not simulated:
 * installs read the local npm cache offline.
 *
 * PETITION_LOCAL_NODE_SUBSTITUTE=1 (set by the test set-up, test/workflows/local-github.ts, on a
 * machine without the pinned Node) runs the steps with the running Node instead of failing, and
 * says so in the log as a warning: a substitution, like the runner's step overrides.
 */
import { getInput, info, run, setOutput } from './toolkit.ts';

/** Whether the running Node (version, LTS codename) satisfies a node-version input. */
export function satisfies(spec: string, version: string, lts: string | undefined): boolean {
  const wanted = spec.trim().replace(/^v/, '');
  if (!wanted) return true;
  if (/^lts\//i.test(wanted))
    return Boolean(lts) && (wanted === 'lts/*' || wanted.slice(4).toLowerCase() === lts!.toLowerCase());
  if (['node', 'latest', 'current'].includes(wanted)) return false;
  const major = /^(\d+)/.exec(wanted)?.[1];
  return major !== undefined && major === version.replace(/^v/, '').split('.')[0];
}

run(async () => {
  const spec = getInput('node-version');
  if (getInput('node-version-file')) throw new Error('node-version-file is not supported by the local stand-in');
  if (!satisfies(spec, process.version, process.release.lts)) {
    const message = `node-version ${spec} wanted, but this machine runs Node ${process.version}`;
    if (process.env.PETITION_LOCAL_NODE_SUBSTITUTE !== '1') throw new Error(message);
    process.stdout.write(`::warning::${message}: SUBSTITUTED (PETITION_LOCAL_NODE_SUBSTITUTE=1)\n`);
  }
  info(`Using the running Node ${process.version} for node-version ${spec || '(none)'}`);
  if (getInput('cache')) info(`cache: ${getInput('cache')} is not simulated locally`);
  setOutput('node-version', process.version);
  setOutput('cache-hit', 'false');
});
