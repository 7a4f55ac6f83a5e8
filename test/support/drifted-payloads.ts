// Authentic payloads whose shape differs from GitLab's published examples: fields GitLab leaves null or
// out, or sends as other types, in some versions and set-ups. rulebot reads each, or keeps it as a dead letter.
import { fixture, type FixtureName } from './events.js';

export interface DriftedPayload {
  name: string;
  payload: Record<string, any>;
  /** `read`: rulebot acts on it; otherwise what the dead letter says of it: the field, then its problem. */
  expect: 'read' | { unreadable: string };
}

function variant(name: string, from: FixtureName, change: (payload: Record<string, any>) => void, expect: DriftedPayload['expect'] = 'read'): DriftedPayload {
  const payload = fixture(from);
  change(payload);
  return { name, payload, expect };
}

export const DRIFTED_PAYLOADS: readonly DriftedPayload[] = [
  variant('merge request without user', 'merge_request', (p) => delete p['user']),
  variant('merge request with user null', 'merge_request', (p) => (p['user'] = null)),
  variant('merge request with user.username null', 'merge_request', (p) => (p['user']['username'] = null)),
  variant('merge request with title null', 'merge_request', (p) => (p['object_attributes']['title'] = null)),
  variant('merge request with draft null', 'merge_request', (p) => (p['object_attributes']['draft'] = null)),
  variant('merge request with target_branch null', 'merge_request', (p) => (p['object_attributes']['target_branch'] = null)),
  variant('merge request with a null label', 'merge_request', (p) => p['labels'].push(null)),
  variant('merge request with a label without title', 'merge_request', (p) => p['labels'].push({ id: 7, color: '#fff' })),
  variant('merge request with iid as a string', 'merge_request', (p) => (p['object_attributes']['iid'] = '1')),
  variant('merge request with project.id as a string', 'merge_request', (p) => (p['project']['id'] = '1')),
  variant('merge request without project', 'merge_request', (p) => delete p['project']),
  variant('merge request with changes null', 'merge_request', (p) => (p['changes'] = null)),
  variant('merge request with assignee_ids null', 'merge_request', (p) => (p['object_attributes']['assignee_ids'] = null)),
  variant('merge request without object_attributes', 'merge_request', (p) => delete p['object_attributes'], { unreadable: 'object_attributes: required, got nothing (expected object)' }),
  variant('merge request with iid -1', 'merge_request', (p) => (p['object_attributes']['iid'] = -1), { unreadable: 'object_attributes.iid: expected a positive whole number, got -1' }),
  variant('merge request with iid 1.5', 'merge_request', (p) => (p['object_attributes']['iid'] = 1.5), { unreadable: 'object_attributes.iid: expected a positive whole number, got 1.5' }),
  variant('merge request with iid "abc"', 'merge_request', (p) => (p['object_attributes']['iid'] = 'abc'), { unreadable: 'object_attributes.iid: expected a positive whole number, got "abc"' }),
  variant('merge request with labels as text', 'merge_request', (p) => (p['labels'] = 'oops'), { unreadable: 'labels: expected a list, got "oops"' }),
  variant('merge request without project or target', 'merge_request', (p) => {
    delete p['project'];
    delete p['object_attributes']['target'];
  }, { unreadable: 'project: required, got nothing (and the object does not name its project)' }),
  variant('issue without user', 'issue', (p) => delete p['user']),
  variant('issue with iid as a string', 'issue', (p) => (p['object_attributes']['iid'] = '23')),
  variant('issue with description null', 'issue', (p) => (p['object_attributes']['description'] = null)),
  variant('issue without project', 'issue', (p) => delete p['project'], { unreadable: 'project: required, got nothing (and the object does not name its project)' }),
  variant('note with merge_request null', 'note_merge_request', (p) => (p['merge_request'] = null), { unreadable: 'merge_request: required for a note on a merge request, got nothing' }),
  variant('note without user', 'note_merge_request', (p) => delete p['user']),
  variant('note on an issue without user', 'note_issue', (p) => delete p['user']),
  variant('push without user_username', 'push', (p) => delete p['user_username']),
  variant('pipeline with user null', 'pipeline', (p) => (p['user'] = null)),
];
