// The fake GitLab's pipeline creation over real HTTP.

import { describe, expect } from 'vitest';
import { call, test } from './test-fixture.js';

describe('POST /projects/:id/pipeline', () => {
  test('creates a pipeline for the ref and answers 201 as GitLab does', async ({ gitlab }) => {
    gitlab.setNow(new Date('2025-05-01T10:00:00Z'));
    const response = await call(gitlab, 'POST', '/projects/group%2Fsub%2Fproject/pipeline', {
      json: { ref: 'main', variables: [{ key: 'HOUSEKEEPING', value: 'true' }] },
    });
    expect(response.status).toBe(201);
    const body = await response.json();
    expect(body).toMatchObject({
      iid: 1,
      project_id: 1,
      ref: 'main',
      status: 'created',
      source: 'api',
      user: { id: 99, username: 'rulebot' },
      created_at: '2025-05-01T10:00:00.000Z',
      web_url: `${gitlab.url}/group/sub/project/-/pipelines/${body.id}`,
    });
    expect(body.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(gitlab.pipelines(1)).toEqual([
      expect.objectContaining({
        id: body.id,
        ref: 'main',
        variables: [{ key: 'HOUSEKEEPING', value: 'true', variable_type: 'env_var' }],
      }),
    ]);
  });

  test('numbers pipelines per project and uses the head of a merge request’s source branch', async ({ gitlab }) => {
    await call(gitlab, 'POST', '/projects/1/pipeline', { json: { ref: 'main' } });
    const second = await call(gitlab, 'POST', '/projects/1/pipeline?ref=feature-2', {
      json: { variables: [{ key: 'CONFIG', value: 'a: 1', variable_type: 'file' }] },
    });
    expect(await second.json()).toMatchObject({ iid: 2, ref: 'feature-2', sha: gitlab.mergeRequest(1, 2)?.sha });
    expect(gitlab.pipelines(1).map((pipeline) => pipeline.variables)).toEqual([
      [],
      [{ key: 'CONFIG', value: 'a: 1', variable_type: 'file' }],
    ]);
    expect(gitlab.pipelines(2)).toEqual([]);
  });

  test('answers 400 for a missing or empty ref and for malformed variables, creating nothing', async ({ gitlab }) => {
    const cases = [
      [{}, { error: 'ref is missing' }],
      [{ ref: '' }, { message: { base: ['Reference not found'] } }],
      [{ ref: 'main', variables: { KEY: 'v' } }, { error: 'variables is invalid' }],
      [{ ref: 'main', variables: [{ value: 'v' }] }, { error: 'variables[0][key] is missing' }],
      [
        { ref: 'main', variables: [{ key: 'A', value: '1' }, { key: 'B', value: '2', variable_type: 'secret' }] },
        { error: 'variables[1][variable_type] does not have a valid value' },
      ],
    ] as const;
    for (const [json, error] of cases) {
      const response = await call(gitlab, 'POST', '/projects/1/pipeline', { json });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(error);
    }
    expect(gitlab.pipelines(1)).toEqual([]);
  });

  test('answers 404 for an unknown project', async ({ gitlab }) => {
    const response = await call(gitlab, 'POST', '/projects/404/pipeline', { json: { ref: 'main' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: '404 Project Not Found' });
  });
});
