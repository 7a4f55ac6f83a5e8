// A fetch that keeps connections to GitLab open across requests (undici's pooled Agent), and can cut them all when stopping.
import { Agent, fetch as undiciFetch } from 'undici';

export interface PooledFetch {
  fetch: typeof fetch;
  /**
   * Ends every request under way, and every later one at once, with an AbortError: what runs them
   * sees a GitLab call that got no answer, as after a timeout.
   */
  abort(): void;
  /** Closes the connections without waiting for requests under way. */
  close(): Promise<void>;
}

export function createPooledFetch(options: { connections?: number } = {}): PooledFetch {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: options.connections ?? 16 });
  const stopping = new AbortController();
  const pooled = ((input: string | URL | Request, init?: RequestInit) => {
    const signal = init?.signal ? AbortSignal.any([init.signal, stopping.signal]) : stopping.signal;
    return undiciFetch(input as string, { ...(init as object), signal, dispatcher: agent });
  }) as unknown as typeof fetch;
  return {
    fetch: pooled,
    abort: () => stopping.abort(new DOMException('rulebot is stopping', 'AbortError')),
    close: () => agent.destroy(),
  };
}
