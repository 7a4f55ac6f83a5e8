// The fake GitLab's member endpoints over real HTTP: direct and inherited membership, as chat-ops checks it.

import { describe, expect, test as plainTest } from 'vitest';
import { FakeGitLab } from './server.js';
import { ALICE, BOB, call, test } from './test-fixture.js';

const ALL = '/projects/1/members/all';
const DIRECT = '/projects/1/members';

async function accessLevel(gitlab: FakeGitLab, path: string): Promise<number | undefined> {
  const response = await call(gitlab, 'GET', path);
  return response.status === 200 ? (await response.json()).access_level : undefined;
}

describe('GET /projects/:id/members/all/:user_id', () => {
  test('answers a direct member as GitLab does', async ({ gitlab }) => {
    gitlab.addMember(1, { user_id: ALICE.id, access_level: 30 });
    const response = await call(gitlab, 'GET', `${ALL}/${ALICE.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: ALICE.id,
      username: 'alice',
      name: 'Alice',
      state: 'active',
      web_url: `${gitlab.url}/alice`,
      access_level: 30,
      expires_at: null,
      membership_state: 'active',
    });
  });

  test('inherits from the project’s group and the groups above it; the highest level wins', async ({ gitlab }) => {
    gitlab.addGroup({ id: 5, full_path: 'group' });
    gitlab.addGroup({ id: 6, full_path: 'group/sub' });
    gitlab.addGroupMember(5, { user_id: ALICE.id, access_level: 40 });
    gitlab.addMember(1, { user_id: ALICE.id, access_level: 20 });
    gitlab.addGroupMember('GROUP/sub', { user_id: BOB.id, access_level: 10 });

    expect(await accessLevel(gitlab, `${ALL}/${ALICE.id}`)).toBe(40);
    expect(await accessLevel(gitlab, `${DIRECT}/${ALICE.id}`)).toBe(20);
    expect(await accessLevel(gitlab, `/projects/group%2Fsub%2Fproject/members/all/${BOB.id}`)).toBe(10);
    expect(await accessLevel(gitlab, `${DIRECT}/${BOB.id}`)).toBeUndefined();
  });

  test('a group whose path only starts the same grants nothing', async ({ gitlab }) => {
    gitlab.addGroup({ id: 7, full_path: 'group/su' });
    gitlab.addGroupMember(7, { user_id: ALICE.id, access_level: 50 });
    expect(await accessLevel(gitlab, `${ALL}/${ALICE.id}`)).toBeUndefined();
  });

  test('namespace_group_id puts a project in a group whatever its path says', async ({ gitlab }) => {
    gitlab.addGroup({ id: 8, full_path: 'platform' });
    gitlab.addProject({ id: 2, path_with_namespace: 'legacy/tool', namespace_group_id: 8 });
    gitlab.addGroupMember(8, { user_id: BOB.id, access_level: 50 });
    expect(await accessLevel(gitlab, `/projects/2/members/all/${BOB.id}`)).toBe(50);
    expect(await accessLevel(gitlab, `${ALL}/${BOB.id}`)).toBeUndefined();
  });

  test('inherited_from_group shows a membership in /members/all only', async ({ gitlab }) => {
    gitlab.addMember(1, { user_id: BOB.id, access_level: 40, inherited_from_group: 'group' });
    expect(await accessLevel(gitlab, `${ALL}/${BOB.id}`)).toBe(40);
    expect(await accessLevel(gitlab, `${DIRECT}/${BOB.id}`)).toBeUndefined();
  });

  test('answers 404 "Not found" for a non-member, 400 for an id that is no number', async ({ gitlab }) => {
    for (const path of [`${ALL}/${BOB.id}`, `${DIRECT}/${BOB.id}`, `${ALL}/12345`]) {
      const response = await call(gitlab, 'GET', path);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: '404 Not found' });
    }
    const invalid = await call(gitlab, 'GET', `${ALL}/alice`);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({ error: 'user_id is invalid' });
    const project = await call(gitlab, 'GET', `/projects/404/members/all/${ALICE.id}`);
    expect(await project.json()).toEqual({ message: '404 Project Not Found' });
  });
});

describe('listing members', () => {
  test('/members lists direct members, /members/all everyone with their effective level', async ({ gitlab }) => {
    gitlab.addGroup({ id: 5, full_path: 'group' });
    gitlab.addGroupMember(5, { user_id: BOB.id, access_level: 30 });
    gitlab.addMember(1, { user_id: ALICE.id, access_level: 40 });
    gitlab.addMember(1, { user_id: BOB.id, access_level: 20 });

    const direct = await (await call(gitlab, 'GET', DIRECT)).json();
    const all = await call(gitlab, 'GET', `${ALL}?per_page=1`);
    const levels = (members: { id: number; access_level: number }[]) => members.map((m) => [m.id, m.access_level]);
    expect(levels(direct)).toEqual([
      [ALICE.id, 40],
      [BOB.id, 20],
    ]);
    expect(levels(await all.json())).toEqual([[ALICE.id, 40]]);
    expect(all.headers.get('x-total')).toBe('2');
    const second = await (await call(gitlab, 'GET', `${ALL}?per_page=1&page=2`)).json();
    expect(levels(second)).toEqual([[BOB.id, 30]]);
  });
});

describe('seeding members', () => {
  plainTest('refuses unknown projects, users, groups and access levels', () => {
    const gitlab = new FakeGitLab();
    gitlab.addProject({ id: 1, path_with_namespace: 'g/p' });
    expect(() => gitlab.addMember(2, { user_id: 1, access_level: 30 })).toThrow(/unknown project 2/);
    expect(() => gitlab.addMember(1, { user_id: 5, access_level: 30 })).toThrow(/unknown user id\(s\) 5/);
    expect(() => gitlab.addMember(1, { user_id: 1, access_level: 35 })).toThrow(/access_level must be one of .*got 35/);
    expect(() => gitlab.addGroupMember('g', { user_id: 1, access_level: 30 })).toThrow(/unknown group g/);
    expect(() => gitlab.addProject({ id: 3, path_with_namespace: 'x/y', namespace_group_id: 9 })).toThrow(
      /unknown group 9/,
    );
  });
});
