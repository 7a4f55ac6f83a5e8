import { describe, expect, it } from 'vitest';
import { GitLabClient } from './client.js';
import { readRepositoryFile } from './repository-files.js';

/** A client whose fetch answers once with `response`, recording the URL asked for. */
function clientAnswering(response: () => Response) {
  const urls: string[] = [];
  const gitlab = new GitLabClient({ baseUrl: 'https://gitlab.example.com', token: 't', retries: 0, fetch: async (url) => (urls.push(String(url)), response()) });
  return { gitlab, urls };
}

/** A body that counts the chunks read from it: a refused file is not read to its end. */
function chunkedBody(chunks: number, size: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled++ >= chunks) controller.close();
      else controller.enqueue(new TextEncoder().encode('#'.repeat(size)));
    },
  });
  return { stream, pulled: () => pulled };
}

describe('reading a repository file', () => {
  it('asks for the raw file at a ref, its path encoded, and returns it with the blob and commits GitLab names', async () => {
    const headers = { 'x-gitlab-blob-id': 'b1', 'x-gitlab-commit-id': 'c2', 'x-gitlab-last-commit-id': 'c1' };
    const { gitlab, urls } = clientAnswering(() => new Response('rules: []\n', { headers }));
    expect(await readRepositoryFile(gitlab, 'acme/app', '.gitlab/rulebot.yml', { ref: 'main', maxBytes: 100 })).toEqual({
      file: { text: 'rules: []\n', blobId: 'b1', commitId: 'c2', lastCommitId: 'c1' },
    });
    expect(urls).toEqual(['https://gitlab.example.com/api/v4/projects/acme%2Fapp/repository/files/.gitlab%2Frulebot.yml/raw?ref=main']);
  });

  it('says what GitLab says is missing', async () => {
    const { gitlab } = clientAnswering(() => Response.json({ message: '404 File Not Found' }, { status: 404 }));
    expect(await readRepositoryFile(gitlab, 1, 'a.yml', { maxBytes: 100 })).toEqual({ missing: '404 File Not Found' });
  });

  it('refuses a file larger than the bound without reading it: by X-Gitlab-Size, or as it arrives', async () => {
    const declared = chunkedBody(100, 1000);
    const { gitlab } = clientAnswering(() => new Response(declared.stream, { headers: { 'x-gitlab-size': '100000' } }));
    expect(await readRepositoryFile(gitlab, 1, 'a.yml', { maxBytes: 65_536 })).toEqual({ tooLarge: '100000 bytes, more than the 65536 rulebot reads' });
    expect(declared.pulled()).toBeLessThan(3);

    const streamed = chunkedBody(100, 1000);
    const { gitlab: other } = clientAnswering(() => new Response(streamed.stream));
    expect(await readRepositoryFile(other, 1, 'a.yml', { maxBytes: 65_536 })).toEqual({ tooLarge: 'more than the 65536 bytes rulebot reads' });
    expect(streamed.pulled()).toBeLessThan(70);
  });
});
