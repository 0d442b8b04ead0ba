import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { iso, query, queryOne } from '@ihf/persistence';
import { cursorTimeSql, decodeCursor, type Page, toPage } from '@ihf/platform';
import { type InboxItemView, type InboxQueryDto } from './dto/inbox.dto.js';
import { InboxItemNotFoundError } from './inbox.errors.js';

interface InboxRow {
  id: string;
  hub_id: string | null;
  event_id: string;
  subject: string;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
  cursor_at: string;
}

/** The signed-in user's inbox: newest first, paged by (created_at, id). */
@Injectable()
export class InboxService {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async list(userId: string, q: InboxQueryDto): Promise<Page<InboxItemView>> {
    const limit = q.limit ?? 50;
    const cursor = decodeCursor(q.cursor);
    const rows = await query<InboxRow>(
      this.orm.em.fork(),
      `select id, hub_id, event_id, subject, title, body, created_at, read_at,
              ${cursorTimeSql('created_at')} as cursor_at
       from notifications.inbox_items
       where user_id = ? ${q.unread ? 'and read_at is null' : ''}
         ${cursor ? 'and (created_at, id) < (?::timestamptz, ?::uuid)' : ''}
       order by created_at desc, id desc limit ?`,
      [userId, ...(cursor ? [cursor.at, cursor.id] : []), limit + 1],
    );
    return toPage(
      rows,
      limit,
      (r) => ({ at: r.cursor_at, id: r.id }),
      (r) => ({
        id: r.id,
        hub_id: r.hub_id,
        event_id: r.event_id,
        event_type: r.subject,
        title: r.title,
        body: r.body,
        created_at: iso(r.created_at)!,
        read_at: iso(r.read_at),
      }),
    );
  }

  async unreadCount(userId: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      this.orm.em.fork(),
      'select count(*)::int as n from notifications.inbox_items where user_id = ? and read_at is null',
      [userId],
    );
    return row?.n ?? 0;
  }

  /** Marks one item read (again: no change). */
  async markRead(userId: string, id: string): Promise<void> {
    const rows = await query<{ id: string }>(
      this.orm.em.fork(),
      `update notifications.inbox_items set read_at = coalesce(read_at, now())
       where id = ? and user_id = ? returning id`,
      [id, userId],
    );
    if (rows.length === 0) throw new InboxItemNotFoundError(id);
  }

  async markAllRead(userId: string): Promise<number> {
    const rows = await query<{ id: string }>(
      this.orm.em.fork(),
      `update notifications.inbox_items set read_at = now()
       where user_id = ? and read_at is null returning id`,
      [userId],
    );
    return rows.length;
  }
}
