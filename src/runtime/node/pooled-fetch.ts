// A fetch that keeps connections to GitLab open across requests (undici's pooled Agent).
import { Agent, fetch as undiciFetch } from 'undici';

export function createPooledFetch(options: { connections?: number } = {}): { fetch: typeof fetch; close: () => Promise<void> } {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: options.connections ?? 16 });
  const pooled = ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
  return { fetch: pooled, close: () => agent.close() };
}
