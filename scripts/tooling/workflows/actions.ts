/**
 * Which code a `uses:` step runs: the action's REAL code when `npm run refresh:actions` has
 * copied it into .workflow-actions/<owner>/<repo>/<sha>/ (never committed: it comes from a local
 * snapshot), otherwise our stand-in for that exact action@sha. An action or a commit we have no
 * stand-in for fails the step, naming it: a workflow never silently skips a step.
 *
 * Some real actions need a GitHub service the local run does not fake (the Pages API, OIDC, the
 * artifact service, nodejs.org, a GitHub App): for those the stand-in runs even when the real
 * code is present, and the runner says so and why.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { bundledName, standInBundleDir } from './stand-in-bundle.ts';

/** An action.yml's `runs:` as the runner needs it. */
export interface ActionRuns {
  using: string;
  main?: string;
  pre?: string;
  post?: string;
  'post-if'?: string;
  steps?: unknown[];
}

/** An action ready to run. */
export interface ResolvedAction {
  uses: string;
  mode: 'real' | 'stand-in';
  /** What runs, for the log: a folder of real code, or which stand-in and why. */
  describe: string;
  dir: string;
  /** The program that runs `runs.main`/`pre`/`post`. */
  command: string[];
  inputs: Record<string, { default?: unknown }>;
  outputs: Record<string, { value?: unknown }>;
  runs: ActionRuns;
}

interface StandIn {
  inputs: Record<string, { default?: unknown }>;
  outputs?: string[];
  /** A script under stand-ins/, run as a JavaScript action's main. */
  main?: string;
  post?: string;
  postIf?: string;
  /** Or composite steps, as an action.yml would list them. */
  steps?: unknown[];
  compositeOutputs?: Record<string, { value: string }>;
  /** Why the stand-in runs even when the real code is present. */
  alwaysBecause?: string;
}

const input = (value?: unknown) => ({ default: value ?? undefined });

/**
 * Our stand-ins, by the exact `uses:` the workflows pin. Input names and defaults are those of
 * the action.yml at that commit, so a workflow passing an input the action lacks is noticed.
 */
export const STAND_INS: Record<string, StandIn> = {
  'actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd': {
    inputs: {
      repository: input('${{ github.repository }}'),
      ref: input(),
      token: input('${{ github.token }}'),
      'ssh-key': input(),
      'ssh-known-hosts': input(),
      'ssh-strict': input('true'),
      'ssh-user': input('git'),
      'persist-credentials': input('true'),
      path: input(),
      clean: input('true'),
      filter: input(),
      'sparse-checkout': input(),
      'sparse-checkout-cone-mode': input('true'),
      'fetch-depth': input('1'),
      'fetch-tags': input('false'),
      'show-progress': input('true'),
      lfs: input('false'),
      submodules: input('false'),
      'set-safe-directory': input('true'),
      'github-server-url': input(),
    },
    main: 'checkout.ts',
    post: 'checkout-post.ts',
  },
  'actions/cache/restore@668228422ae6a00e4ad889ee87cd7109ec5666a7': {
    inputs: {
      path: input(),
      key: input(),
      'restore-keys': input(),
      enableCrossOsArchive: input('false'),
      'fail-on-cache-miss': input('false'),
      'lookup-only': input('false'),
    },
    main: 'cache-restore.ts',
  },
  'actions/cache/save@668228422ae6a00e4ad889ee87cd7109ec5666a7': {
    inputs: { path: input(), key: input(), 'upload-chunk-size': input(), enableCrossOsArchive: input('false') },
    main: 'cache-save.ts',
  },
  'actions/setup-node@6044e13b5dc448c55e2357c09f80417699197238': {
    inputs: {
      'node-version': input(),
      'node-version-file': input(),
      architecture: input(),
      'check-latest': input('false'),
      'registry-url': input(),
      scope: input(),
      token: input("${{ github.server_url == 'https://github.com' && github.token || '' }}"),
      cache: input(),
      'package-manager-cache': input('true'),
      'cache-dependency-path': input(),
      mirror: input(),
      'mirror-token': input(),
    },
    main: 'setup-node.ts',
    alwaysBecause: 'the real one downloads Node from nodejs.org',
  },
  'actions/configure-pages@983d7736d9b0ae728b81ab479565c72886d7745b': {
    inputs: {
      static_site_generator: input(),
      generator_config_file: input(),
      token: input('${{ github.token }}'),
      enablement: input('false'),
    },
    main: 'configure-pages.ts',
    alwaysBecause: 'the real one asks the Pages API, which the fake API does not serve',
  },
  'actions/upload-pages-artifact@7b1f4a764d45c48632c6b24a0339c27f5614fb0b': {
    inputs: { name: input('github-pages'), path: input('_site/'), 'retention-days': input('1') },
    // The same archive the real composite makes (GNU tar, hidden files and .git left out).
    steps: [
      {
        name: 'Archive artifact',
        shell: 'sh',
        run: 'tar --dereference --hard-dereference --directory "$INPUT_PATH" -cf "$RUNNER_TEMP/artifact.tar" --exclude=.git --exclude=.github --exclude=".[^/]*" .',
        env: { INPUT_PATH: '${{ inputs.path }}' },
      },
      {
        id: 'upload-artifact',
        uses: 'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02',
        with: {
          name: '${{ inputs.name }}',
          path: '${{ runner.temp }}/artifact.tar',
          'retention-days': '${{ inputs.retention-days }}',
          'if-no-files-found': 'error',
        },
      },
    ],
    compositeOutputs: { artifact_id: { value: '${{ steps.upload-artifact.outputs.artifact-id }}' } },
  },
  'actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02': {
    inputs: {
      name: input('artifact'),
      path: input(),
      'if-no-files-found': input('warn'),
      'retention-days': input(),
      'compression-level': input('6'),
      overwrite: input('false'),
      'include-hidden-files': input('false'),
    },
    main: 'upload-artifact.ts',
    alwaysBecause: 'the real one needs the artifact service, which is not faked',
  },
  'actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e': {
    inputs: {
      token: input('${{ github.token }}'),
      timeout: input('600000'),
      error_count: input('10'),
      reporting_interval: input('5000'),
      artifact_name: input('github-pages'),
      preview: input('false'),
    },
    main: 'deploy-pages.ts',
    alwaysBecause: 'the real one needs an OIDC token and the Pages deployment API',
  },
  'actions/create-github-app-token@bcd2ba49218906704ab6c1aa796996da409d3eb1': {
    inputs: {
      'app-id': input(),
      'client-id': input(),
      'private-key': input(),
      owner: input(),
      repositories: input(),
      'skip-token-revoke': input('false'),
      'github-api-url': input('${{ github.api_url }}'),
      'permission-contents': input(),
      'permission-issues': input(),
    },
    main: 'create-github-app-token.ts',
    alwaysBecause: 'the real one signs a JWT for a GitHub App the fake API does not know',
  },
};

/** Every script a stand-in runs (its `main` and `post`), under stand-ins/. */
const STAND_IN_SCRIPTS = Object.values(STAND_INS).flatMap((standIn) =>
  [standIn.main, standIn.post].filter((script): script is string => script !== undefined),
);

/** Splits `owner/repo[/path]@ref`. */
export function parseUses(uses: string): { owner: string; repo: string; subpath: string; ref: string } {
  const match = /^([\w.-]+)\/([\w.-]+)((?:\/[\w.-]+)*)@([\w.-]+)$/.exec(uses);
  if (!match) throw new Error(`cannot run "${uses}" locally: only owner/repo[/path]@sha actions are supported`);
  return { owner: match[1]!, repo: match[2]!, subpath: match[3]!.replace(/^\//, ''), ref: match[4]! };
}

/** The folder refresh:actions copies an action's commit into. */
export function realActionDir(actionsDir: string, uses: string): string {
  const { owner, repo, subpath, ref } = parseUses(uses);
  return path.join(actionsDir, owner, repo, ref, subpath);
}

/** Finds the code for a `uses:`; throws (naming it) when there is neither real code nor a stand-in. */
export function resolveAction(uses: string, actionsDir: string): ResolvedAction {
  if (uses.startsWith('docker://') || uses.startsWith('./'))
    throw new Error(`cannot run "${uses}" locally: only pinned repository actions are supported`);
  const standIn = STAND_INS[uses];
  const dir = realActionDir(actionsDir, uses);
  const { owner, repo, ref } = parseUses(uses);
  // refresh:actions marks a commit copied whole; a half copy is not real code.
  const complete = existsSync(path.join(actionsDir, owner, repo, ref, '.complete'));
  const manifestFile = complete
    ? ['action.yml', 'action.yaml'].map((name) => path.join(dir, name)).find(existsSync)
    : undefined;
  if (manifestFile && !standIn?.alwaysBecause) {
    const manifest = YAML.parse(readFileSync(manifestFile, 'utf8')) as {
      inputs?: Record<string, { default?: unknown }>;
      outputs?: Record<string, { value?: unknown }>;
      runs: ActionRuns;
    };
    if (!['node20', 'node24', 'composite'].includes(manifest.runs.using))
      throw new Error(`cannot run "${uses}" locally: runs.using ${manifest.runs.using}`);
    return {
      uses,
      mode: 'real',
      describe: path.relative(process.cwd(), dir) || dir,
      dir,
      // The running Node, whatever runs.using names (node24 on GitHub).
      command: [process.execPath],
      inputs: Object.fromEntries(Object.entries(manifest.inputs ?? {}).map(([name, spec]) => [name, spec ?? {}])),
      outputs: Object.fromEntries(Object.entries(manifest.outputs ?? {}).map(([name, spec]) => [name, spec ?? {}])),
      runs: manifest.runs,
    };
  }
  if (!standIn)
    throw new Error(
      `cannot run "${uses}" locally: no stand-in for this action at this commit, and no real code in ${path.relative(process.cwd(), dir)} (npm run refresh:actions)`,
    );
  const why = manifestFile
    ? `real code present, but ${standIn.alwaysBecause}`
    : 'no real code; npm run refresh:actions';
  const runs: ActionRuns = standIn.steps
    ? { using: 'composite', steps: standIn.steps }
    : {
        using: 'node20',
        main: standIn.main && bundledName(standIn.main),
        post: standIn.post && bundledName(standIn.post),
        'post-if': standIn.postIf,
      };
  return {
    uses,
    mode: 'stand-in',
    describe: `${standIn.main ? `stand-ins/${standIn.main}` : 'composite stand-in'}: ${why}`,
    // Every stand-in bundled into one file, run with plain node as a real action's dist/ is (./stand-in-bundle.ts).
    dir: standIn.steps ? '' : standInBundleDir(STAND_IN_SCRIPTS),
    command: [process.execPath],
    inputs: standIn.inputs,
    outputs: Object.fromEntries(Object.entries(standIn.compositeOutputs ?? {})),
    runs,
  };
}
