-- Benchmark data for the feedback service (bench/feedback/run.ts): 10 hubs, 1,000 widgets,
-- 20,000 threads, 1,000,000 annotations (10% replies), 100,000 requirement candidates in every
-- status with their triage audit (~250,000 rows), 30% of them with a reviewer (and audit).
-- The annotation and candidate counts come from the session's settings bench.annotations and
-- bench.candidates (run.ts sets them: 1,000,000 and 100,000, or 10,000 and 1,500 with --smoke).
-- Ids are derived from md5 (pg_temp.uid), so references are computed, not looked up. Times are whole milliseconds,
-- as the service writes them.
set search_path = feedback;
set synchronous_commit = off;

-- md5-derived ids, made valid version-4 UUIDs (the API validates them).
create function pg_temp.uid(text) returns uuid language sql immutable as
  $$ select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid $$;

create temporary table hub_ids as
  select h, pg_temp.uid('hub' || h) as id from generate_series(0, 9) h;

insert into widgets (id, hub_id, name, widget_type, status, version)
select pg_temp.uid('widget' || w), (select id from hub_ids where h = w % 10),
  'widget ' || w, 'button', 'active', 1
from generate_series(0, 999) w;

insert into annotation_threads (id, hub_id, widget_id, title, created_at, updated_at)
select pg_temp.uid('thread' || t), (select id from hub_ids where h = (t % 1000) % 10),
  pg_temp.uid('widget' || (t % 1000)), 'thread ' || t,
  date_trunc('milliseconds', now() - interval '400 days' + t * interval '1 second'),
  date_trunc('milliseconds', now() - interval '400 days' + t * interval '1 second')
from generate_series(0, 19999) t;

-- Annotation i is on widget i % 1000; reply i answers i - 1000 (same widget); 30% in a thread
-- of their widget (thread (i / 1000) % 20 * 1000 + i % 1000).
insert into annotations (id, hub_id, widget_id, widget_version, parent_id, thread_id, body,
  category, severity, actor_id, actor_type, source, created_at)
select pg_temp.uid('annotation' || i), (select id from hub_ids where h = (i % 1000) % 10),
  pg_temp.uid('widget' || (i % 1000)), 1,
  case when i % 10 = 0 and i >= 1000 then pg_temp.uid('annotation' || (i - 1000)) end,
  case when i % 10 < 3 then pg_temp.uid('thread' || (((i / 1000) % 20) * 1000 + i % 1000)) end,
  'annotation body ' || i,
  (array['friction','bug','idea','question','praise'])[1 + (i / 10) % 5],
  (array['low','medium','medium','high','critical'])[1 + (i / 7) % 5],
  pg_temp.uid('user' || (i % 5000)), 'user', 'ingestion',
  date_trunc('milliseconds', now() - interval '365 days' + i * interval '31 seconds')
from generate_series(0, current_setting('bench.annotations')::int - 1) i;

-- Candidate k escalates annotation k (widget k % 1000, hub k % 10). Statuses by (k / 10) % 20:
-- 0-7 open, 8-11 in_review, 12-13 accepted, 14-15 rejected, 16-17 deferred, 18 duplicate
-- (of k - 1010: same hub, in review), 19 promoted.
create temporary table cand as
select k, pg_temp.uid('candidate' || k) as id,
  case when (k / 10) % 20 < 8 then 'open' when (k / 10) % 20 < 12 then 'in_review'
       when (k / 10) % 20 < 14 then 'accepted' when (k / 10) % 20 < 16 then 'rejected'
       when (k / 10) % 20 < 18 then 'deferred' when (k / 10) % 20 = 18 and k >= 1010 then 'duplicate'
       when (k / 10) % 20 = 18 then 'open' else 'promoted' end as status,
  date_trunc('milliseconds', now() - interval '365 days' + k * interval '5 minutes') as created_at
from generate_series(0, current_setting('bench.candidates')::int - 1) k;

insert into requirement_candidates (id, hub_id, title, description, source_widget_id,
  source_annotation_id, category, severity, status, duplicate_of_id, requirement_id,
  created_by, created_at, updated_at)
select c.id, (select id from hub_ids where h = (c.k % 1000) % 10),
  (array['checkout','login','search','upload','export','filter','payment','profile','settings','invoice'])[1 + (c.k / 10) % 10]
    || ' ' || (array['button','dialog','form','table','menu','banner','wizard'])[1 + (c.k / 100) % 7]
    || ' issue ' || c.k,
  'Users report that the ' || (array['label','layout','flow','copy','speed'])[1 + c.k % 5] || ' is confusing',
  pg_temp.uid('widget' || (c.k % 1000)), pg_temp.uid('annotation' || c.k),
  (array['friction','bug','idea','question','praise'])[1 + (c.k / 200) % 5],
  (array['low','medium','medium','high','critical'])[1 + (c.k / 3) % 5],
  c.status,
  case when c.status = 'duplicate' then pg_temp.uid('candidate' || (c.k - 1010)) end,
  case when c.status = 'promoted' then pg_temp.uid('requirement' || c.k) end,
  pg_temp.uid('user' || (c.k % 50)), c.created_at, c.created_at
from cand c;

-- The audit: the first row, then the path to the status.
insert into triage_states (candidate_id, status, from_status, changed_by, changed_at)
select c.id, s.status, s.from_status, pg_temp.uid('user' || (c.k % 50)),
  c.created_at + s.n * interval '1 hour'
from cand c
cross join lateral (
  select * from (values
    (0, 'open', null),
    (1, 'in_review', 'open'),
    (2, case c.status when 'in_review' then null when 'duplicate' then 'duplicate'
              when 'promoted' then 'accepted' else c.status end, 'in_review'),
    (3, case when c.status = 'promoted' then 'promoted' end, 'accepted')
  ) v(n, status, from_status)
  where v.n = 0 or (c.status <> 'open' and v.n = 1)
     or (v.n = 2 and c.status not in ('open', 'in_review'))
     or (v.n = 3 and c.status = 'promoted')
) s
where s.status is not null;

insert into reviewer_assignments (candidate_id, user_id, assigned_by, assigned_at)
select c.id, pg_temp.uid('reviewer' || (c.k % 50)), pg_temp.uid('user' || 1), c.created_at + interval '30 minutes'
from cand c where (c.k / 10) % 10 < 3;
insert into reviewer_assignment_audit (candidate_id, reviewer_id, previous_reviewer_id, changed_by, changed_at)
select c.id, pg_temp.uid('reviewer' || (c.k % 50)), null, pg_temp.uid('user' || 1), c.created_at + interval '30 minutes'
from cand c where (c.k / 10) % 10 < 3;

analyze;
