import { type EntityManager } from '@mikro-orm/core';
import { query } from '@ihf/persistence';
import { type Notice } from './notice-rules.js';

/**
 * Writes a notice for each recipient, in the consumer's transaction: an inbox item and an
 * e-mail delivery, both unique per (event, user), so a redelivered event writes nothing new.
 * The e-mail's fate is decided here from the user's preference (default immediate): pending
 * (the mailer sends it), digest_pending (the next daily digest), or suppressed with a reason.
 */
export async function writeNotice(
  em: EntityManager,
  e: { readonly event_id: string; readonly type: string },
  notice: Notice,
): Promise<void> {
  const recipients = notice.recipients.filter((r) => r.user_id !== notice.actorId);
  if (recipients.length === 0) return;
  const ids = recipients.map((r) => r.user_id);
  await query(
    em,
    `insert into notifications.inbox_items (user_id, hub_id, event_id, subject, title, body)
     select u, ?::uuid, ?::uuid, ?, ?, ? from unnest(?::uuid[]) as u
     on conflict (event_id, user_id) do nothing`,
    [notice.hubId, e.event_id, e.type, notice.title, notice.body, `{${ids.join(',')}}`],
  );
  await query(
    em,
    `insert into notifications.email_deliveries (event_id, user_id, subject, body, status, reason)
     select ?::uuid, p.user_id, ?, ?,
       case when p.email is null or coalesce(pref.mode, 'immediate') = 'off' then 'suppressed'
            when pref.mode = 'daily_digest' then 'digest_pending' else 'pending' end,
       case when p.email is null then 'no_address'
            when pref.mode = 'off' then 'preference_off' end
     from notifications.principals p
     left join notifications.email_preferences pref on pref.user_id = p.user_id
     where p.user_id = any(?::uuid[])
     on conflict (event_id, user_id) do nothing`,
    [e.event_id, notice.title, notice.body, `{${ids.join(',')}}`],
  );
}
