import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/support/events.js';
import { DRIFTED_PAYLOADS } from '../../test/support/drifted-payloads.js';
import { normalizeEvent } from './from-webhook.js';
import { parseGitLabTime } from './timestamp.js';

function normalized(payload: Record<string, unknown>) {
  const result = normalizeEvent(payload);
  if (!('event' in result)) throw new Error(JSON.stringify(result));
  return result.event;
}

describe('normalizeEvent with GitLab\'s published payloads', () => {
  it('reads a merge request event', () => {
    const event = normalized(fixture('merge_request'));
    expect(event.names).toEqual(['merge_request', 'merge_request.open']);
    expect(event.project).toEqual({ id: 1, path_with_namespace: 'gitlabhq/gitlab-test', web_url: 'http://example.com/gitlabhq/gitlab-test', default_branch: 'master' });
    expect(event.user).toMatchObject({ id: 1, username: 'root' });
    expect(event.subject).toMatchObject({
      type: 'merge_request',
      complete: true,
      iid: 1,
      labels: ['API'],
      target_branch: 'master',
      source_branch: 'ms-viewport',
      author_id: 51,
      assignee_ids: [6],
      reviewer_ids: [6],
      draft: false,
      sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    });
    expect(event.subject?.created_at?.toISOString()).toBe('2013-12-03T17:23:34.000Z');
    expect(event.labels_changed).toEqual({ added: ['Platform'], removed: ['API'] });
    expect(event.subject?.oldrev).toBeUndefined();
  });

  it('tells a merge request update that brought new commits by its oldrev', () => {
    const payload = fixture('merge_request');
    Object.assign(payload['object_attributes'], { action: 'update', oldrev: '95790bf891e76fee5e1747ab589903a6a1f80f22' });
    expect(normalized(payload).subject?.oldrev).toBe('95790bf891e76fee5e1747ab589903a6a1f80f22');
  });

  it('reads an issue event', () => {
    const event = normalized(fixture('issue'));
    expect(event.names).toEqual(['issue', 'issue.open']);
    expect(event.subject).toMatchObject({ type: 'issue', iid: 23, labels: ['API'], state: 'opened', assignee_ids: [51] });
  });

  it('reads notes on merge requests and issues, with their subject', () => {
    const onMr = normalized(fixture('note_merge_request'));
    expect(onMr.names).toEqual(['note', 'note.create']);
    expect(onMr.note).toMatchObject({ id: 1244, body: 'This MR needs work.', system: false });
    expect(onMr.subject).toMatchObject({ type: 'merge_request', iid: 1, labels: ['Afterpod', 'Element'] });
    // GitLab's example has a malformed last_commit timestamp ("21: 00:25"): it must not make the event unreadable.
    expect(onMr.subject?.updated_at?.toISOString()).toBe('2015-03-21T18:27:27.000Z');

    const onIssue = normalized(fixture('note_issue'));
    expect(onIssue.subject).toMatchObject({ type: 'issue', iid: 17 });
  });

  it('ignores notes on commits and snippets without an error', () => {
    const payload = fixture('note_merge_request');
    payload['object_attributes']['noteable_type'] = 'Commit';
    delete payload['merge_request'];
    expect(normalizeEvent(payload)).toEqual({ ignored: 'rulebot does not act on notes on Commit objects' });
  });

  it('reads push and pipeline events', () => {
    const push = normalized(fixture('push'));
    expect(push).toMatchObject({ names: ['push'], user: { id: 4, username: 'jsmith' }, push: { ref: 'refs/heads/master', total_commits_count: 4 } });
    // The paths the listed commits touched, each once, and how many commits GitLab detailed.
    expect(push.push).toMatchObject({ changed_paths: ['CHANGELOG', 'app/controller/application.rb'], commits_listed: 2 });
    expect(push.subject).toBeUndefined();

    const tag = fixture('push');
    tag['object_kind'] = 'tag_push';
    tag['ref'] = 'refs/tags/v1.0.0';
    expect(normalized(tag).names).toEqual(['tag_push']);

    const userless = fixture('pipeline');
    userless['user'] = null;
    expect(normalized(userless).user).toEqual({ id: 0, username: '' });

    const pipeline = normalized(fixture('pipeline'));
    expect(pipeline.names).toEqual(['pipeline', 'pipeline.success']);
    expect(pipeline.subject).toMatchObject({ type: 'merge_request', iid: 1, complete: false });
  });

  it('ignores kinds rulebot does not act on', () => {
    expect(normalizeEvent({ object_kind: 'wiki_page' })).toEqual({ ignored: 'rulebot does not act on "wiki_page" events' });
    expect(normalizeEvent({ event_name: 'project_create' })).toEqual({ ignored: 'payload has no object_kind' });
  });

  it('reports a known kind whose required fields are missing as unreadable, saying which', () => {
    const payload = fixture('merge_request');
    delete payload['object_attributes']['iid'];
    expect(normalizeEvent(payload)).toEqual({
      unreadable: 'not a readable GitLab merge_request event: object_attributes.iid: required, got nothing (expected number)',
    });
  });

  it('reads a tag push like a push (GitLab\'s example has no user_username)', () => {
    const event = normalized(fixture('tag_push'));
    expect(event).toMatchObject({ names: ['tag_push'], kind: 'push', push: { ref: 'refs/tags/v1.0.0' } });
    expect(event.user).toMatchObject({ id: 1, username: '' });
  });

  it('reads a work item as an issue with its type', () => {
    const event = normalized(fixture('work_item'));
    expect(event).toMatchObject({ names: ['work_item', 'work_item.open'], kind: 'issue' });
    expect(event.subject).toMatchObject({ type: 'issue', issue_type: 'task', iid: 23 });
    expect(normalized(fixture('issue')).subject?.issue_type).toBe('issue');
  });
});

describe('normalizeEvent with payloads that drifted from the examples', () => {
  it.each(DRIFTED_PAYLOADS.map((drifted) => [drifted.name, drifted] as const))('%s', (_name, { payload, expect: expected }) => {
    const result = normalizeEvent(payload);
    if (expected === 'read') {
      expect(result).toHaveProperty('event');
      return;
    }
    expect(result).toEqual({ unreadable: expect.stringContaining(`${expected.unreadable}: `) });
  });

  it('reads what a drifted payload still says', () => {
    const byName = (name: string) => DRIFTED_PAYLOADS.find((drifted) => drifted.name === name)!.payload;
    expect(normalized(byName('merge request without user')).user).toEqual({ id: 0, username: '' });
    expect(normalized(byName('merge request with a null label')).subject?.labels).toEqual(['API']);
    expect(normalized(byName('merge request with iid as a string')).subject?.iid).toBe(1);
    expect(normalized(byName('merge request without project')).project).toMatchObject({ id: 14, path_with_namespace: 'awesome_space/awesome_project' });
    expect(normalized(byName('note without user')).user).toEqual({ id: 1, username: '' });
    expect(normalizeEvent(byName('merge request with iid -1'))).toEqual({
      unreadable: 'not a readable GitLab merge_request event: object_attributes.iid: expected a positive whole number, got -1',
    });
  });
});

describe('parseGitLabTime', () => {
  it.each([
    ['2013-12-03T17:15:43Z', '2013-12-03T17:15:43.000Z'],
    ['2019-06-05T14:32:20.211Z', '2019-06-05T14:32:20.211Z'],
    ['2015-05-17 18:08:09 UTC', '2015-05-17T18:08:09.000Z'],
    ['2021-04-28 21:50:00 +0200', '2021-04-28T19:50:00.000Z'],
    ['2012-01-03T23:36:29+02:00', '2012-01-03T21:36:29.000Z'],
  ])('parses %s', (input, iso) => {
    expect(parseGitLabTime(input)?.toISOString()).toBe(iso);
  });

  it('returns undefined for text that is no timestamp', () => {
    expect(parseGitLabTime('2015-04-08T21: 00:25-07:00')).toBeUndefined();
    expect(parseGitLabTime('yesterday')).toBeUndefined();
  });
});
