// `GET /user` (whoever the token belongs to) and `GET /users?username=…`.

import { paginate } from '../pagination.js';
import { readString } from '../params.js';
import { representUser } from '../representations.js';
import type { RouteHandler } from './route-context.js';

export const getCurrentUser: RouteHandler = ({ store, baseUrl }) => ({
  status: 200,
  body: { ...representUser(store.botUser, baseUrl), bot: true },
});

export const listUsers: RouteHandler = ({ store, params, url, baseUrl, perPageMax }) => {
  const username = readString(params, 'username');
  const match = username === undefined ? undefined : store.userByUsername(username);
  const users = username === undefined ? store.listUsers() : match ? [match] : [];
  const page = paginate(users, url, perPageMax);
  return { status: 200, body: page.items.map((user) => representUser(user, baseUrl)), headers: page.headers };
};
