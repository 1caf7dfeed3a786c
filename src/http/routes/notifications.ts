// HTTP adapter for the notifications domain (src/notifications): the caller's own notices, newest first, and marking
// them read. Nobody reads or marks another account's notices: another's id is not found.
import express, { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { allow, requireUser } from '../auth-middleware.ts';
import { IdParams, validate } from '../validate.ts';
import { canReadNotifications } from '../../auth/policies.ts';
import {
  listNotifications,
  Notification,
  NotificationPage,
  NotificationsQuery,
  NoticeSettings,
  NoticeSettingsPatch,
  noticeSettings,
  readAllNotifications,
  readNotification,
  updateNoticeSettings,
} from '../../notifications/index.ts';

const json = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
const tags = ['notifications'];
registry.registerPath({
  method: 'get',
  path: '/api/notifications',
  tags,
  summary:
    'My notices (commission, admin), newest first: incidents assigned to me, severe incidents, observers’ answers and additions on incidents I hold',
  security,
  request: { query: NotificationsQuery },
  responses: {
    200: json('A page of notices and the unread count', NotificationPage),
    ...errorResponses(400, 401, 403),
  },
});
registry.registerPath({
  method: 'post',
  path: '/api/notifications/{id}/read',
  tags,
  summary: 'Mark one of my notices read; another account’s notice is not found',
  security,
  request: { params: IdParams },
  responses: { 200: json('The notice, read', Notification), ...errorResponses(401, 403, 404) },
});
registry.registerPath({
  method: 'post',
  path: '/api/notifications/read-all',
  tags,
  summary: 'Mark all my notices read',
  security,
  responses: {
    200: json('How many were unread', z.object({ marked: z.number().int() })),
    ...errorResponses(401, 403),
  },
});

registry.registerPath({
  method: 'get',
  path: '/api/notifications/settings',
  tags,
  summary: 'My email choice for notices: the address an admin set, whether to send, in which language',
  security,
  responses: { 200: json('The settings', NoticeSettings), ...errorResponses(401, 403) },
});
registry.registerPath({
  method: 'patch',
  path: '/api/notifications/settings',
  tags,
  summary: 'Turn my email notices on or off, or choose their language (audited as user_updated)',
  security,
  request: { body: { content: { 'application/json': { schema: NoticeSettingsPatch } } } },
  responses: { 200: json('The settings', NoticeSettings), ...errorResponses(401, 403, 422) },
});

const List = validate({ query: NotificationsQuery });
const Settings = validate({ body: NoticeSettingsPatch });
const Read = validate({ params: IdParams }, { resource: 'notification' });

export function notificationsRouter(deps: AppDeps): Router {
  const r = Router();
  const nd = { db: deps.db, clock: deps.clock };
  r.use(allow(canReadNotifications));

  r.get('/', List, async (req, res) => {
    res.json(await listNotifications(deps.db, requireUser(req).id, List.input(req).query));
  });
  r.get('/settings', async (req, res) => {
    res.json(await noticeSettings(deps.db, requireUser(req).id));
  });
  r.patch('/settings', express.json({ limit: '4kb' }), Settings, async (req, res) => {
    res.json(await updateNoticeSettings(nd, requireUser(req), Settings.input(req).body));
  });
  r.post('/read-all', async (req, res) => {
    res.json(await readAllNotifications(nd, requireUser(req).id));
  });
  r.post('/:id/read', Read, async (req, res) => {
    res.json(await readNotification(nd, requireUser(req).id, Read.input(req).params.id));
  });
  return r;
}
