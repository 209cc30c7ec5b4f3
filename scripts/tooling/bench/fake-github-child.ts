/**
 * Hosts the tests' fake GitHub (scripts/tooling/fake-github/server.ts) in its own process for the
 * processor benchmark, so that the CPU time measured in the benchmark's process is the
 * processor's own and not the server's. Driven over the IPC channel of child_process.fork.
 */
import { startFakeGitHub, type FakeGitHub, type FakeGitHubOptions } from '../fake-github/server.ts';

export type ChildRequest = { type: 'start'; options: FakeGitHubOptions } | { type: 'state' } | { type: 'close' };

export interface FakeState {
  requests: Array<{ method: string; path: string; status: number }>;
  issues: Array<{ number: number; state: string; labels: string[]; comments: string[]; userId: number }>;
  /** Signature files on the branch: path → content. */
  files: Record<string, string>;
  commits: number;
}

export type ChildReply =
  { type: 'started'; baseUrl: string } | { type: 'state'; state: FakeState } | { type: 'error'; message: string };

let fake: FakeGitHub | undefined;
const reply = (message: ChildReply) => process.send!(message);

process.on('message', (message: ChildRequest) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        fake = await startFakeGitHub(message.options);
        reply({ type: 'started', baseUrl: fake.baseUrl });
      } else if (message.type === 'state') {
        const f = fake!;
        reply({
          type: 'state',
          state: {
            requests: f.requests.map(({ method, path, status }) => ({ method, path, status })),
            issues: f.issues().map((issue) => ({
              number: issue.number,
              state: issue.state,
              labels: [...issue.labels],
              comments: issue.comments.map((comment) => comment.body),
              userId: issue.user.id,
            })),
            files: Object.fromEntries(Object.entries(f.files()).filter(([file]) => file.startsWith('signatures/'))),
            commits: f.commits().length,
          },
        });
      } else {
        await fake?.close();
        process.exit(0);
      }
    } catch (error) {
      reply({ type: 'error', message: (error as Error).stack ?? String(error) });
    }
  })();
});
