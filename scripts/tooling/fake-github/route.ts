/** What a route of the fake GitHub is: a method, a path pattern, and the handler that answers it. */
import type { ServerResponse } from 'node:http';
import type { FakeRepository } from './repository.ts';
import type { Shapes } from './shapes.ts';

/** GitHub's core rate limit as the fake counts it. */
export interface RateLimit {
  limit: number;
  used: number;
  /** When the window resets, in seconds since the epoch. */
  reset: number;
}

/** What every handler may read and change. */
export interface RouteContext {
  repository: FakeRepository;
  shapes: Shapes;
  rate: RateLimit;
}

/** Answers one request: a status and a JSON body. Throws HttpError for GitHub's error answers. */
export type Handler = (
  context: RouteContext,
  match: RegExpMatchArray,
  url: URL,
  body: Record<string, unknown>,
  res: ServerResponse,
) => [number, unknown];

export type Route = [method: string, pattern: RegExp, handler: Handler];
