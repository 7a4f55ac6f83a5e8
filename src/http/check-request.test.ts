import { describe, expect, it } from 'vitest';
import { PayloadError } from '../errors.js';
import { checkRequest } from './check-request.js';

const VALUE = 'glpat-query-secret';

/** The code and message checkRequest refuses the query with, or undefined when it passes. */
function refusal(query: string): { code: string; message: string } | undefined {
  try {
    checkRequest(new URL(`https://rulebot.example/webhooks/gitlab${query}`), new Headers());
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError);
    return { code: (error as PayloadError).code, message: (error as PayloadError).message };
  }
}

describe('secrets in the query string', () => {
  it('refuses the plain names in any case', () => {
    for (const name of ['token', 'private_token', 'PRIVATE_TOKEN', 'Access_Token', 'job_token', 'secret', 'secret_token']) {
      expect(refusal(`?${name}=${VALUE}`)?.code, name).toBe('token_in_query');
    }
  });

  it('refuses the array and bracket forms, encoded or not, and repeated keys', () => {
    const queries = [
      `?token[]=${VALUE}`,
      `?token[]=a&token[]=${VALUE}`,
      `?token%5B%5D=${VALUE}`,
      `?token%5b%5d=${VALUE}`,
      `?token[0]=${VALUE}`,
      `?token[x]=${VALUE}`,
      `?TOKEN[X][y]=${VALUE}`,
      `?private_token[]=${VALUE}`,
      `?hook[token]=${VALUE}`,
      `?hook%5Bsecret_token%5D=${VALUE}`,
      `?token%255B%255D=${VALUE}`,
      `?private.token=${VALUE}`,
      `?private-token=${VALUE}`,
      `?+token=${VALUE}`,
      `?source=gitlab&token=${VALUE}`,
      '?token',
    ];
    for (const query of queries) {
      const refused = refusal(query);
      expect(refused?.code, query).toBe('token_in_query');
      expect(refused?.message, query).not.toContain(VALUE);
    }
    expect(refusal(`?token[]=${VALUE}`)?.message).toContain('query parameter "token", which ends up in access logs');
    expect(refusal(`?hook[secret_token]=${VALUE}`)?.message).toContain('query parameter "secret_token"');
  });

  it('lets other parameters through, even when they mention a token', () => {
    for (const query of ['', '?source=gitlab', '?tokens=1', '?token_type=x', '?x[tokenize]=1', `?note=${VALUE}`]) {
      expect(refusal(query), query).toBeUndefined();
    }
  });
});
