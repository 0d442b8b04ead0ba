-- bench:deployment-outcomes seed: read models and interaction/annotation rollups summing to
-- `bench.events` interaction events, set-based (generate_series) through the real tables and
-- indexes. Ids are md5 UUIDs of names (e.g. 'widget3'), so the benchmark finds them again.
create or replace function pg_temp.u(name text) returns uuid language sql immutable as
  $$ select overlay(overlay(md5(name) placing '4' from 13) placing '8' from 17)::uuid $$;

insert into deployment.widgets (id, hub_id, name, version)
select pg_temp.u('widget' || w), pg_temp.u('hub0'), 'Widget ' || w, 2
from generate_series(0, current_setting('bench.widgets')::int - 1) w;

insert into deployment.candidates (id, hub_id, title, source_widget_id, source_annotation_id)
values (pg_temp.u('candidate0'), pg_temp.u('hub0'), 'Checkout is hard to find',
        pg_temp.u('widget0'), pg_temp.u('annotation0'));
insert into deployment.requirements (id, hub_id, candidate_id, title)
values (pg_temp.u('requirement0'), pg_temp.u('hub0'), pg_temp.u('candidate0'), 'Visible checkout');
insert into deployment.decisions (id, hub_id, title, outcome, requirement_id, decided_at)
values (pg_temp.u('decision0'), pg_temp.u('hub0'), 'Make it bigger', 'approved',
        pg_temp.u('requirement0'), now() - interval '30 days');

-- One row per widget, minute and event type over `bench.days` days before now, with a number of
-- events that makes the total come out at bench.events (view 60 %, click 30 %, submit 10 %).
with shape as (
  select current_setting('bench.widgets')::int as widgets,
         current_setting('bench.days')::int * 1440 as minutes,
         current_setting('bench.events')::bigint as events
)
insert into deployment.interaction_rollups
  (hub_id, widget_id, widget_version, event_type, minute, events, sessions)
select pg_temp.u('hub0'), pg_temp.u('widget' || w), 1 + (m >= s.minutes / 2)::int, t.type,
       date_trunc('minute', now()) - make_interval(mins => s.minutes - m),
       greatest(1, round(s.events * t.share / (s.widgets * s.minutes))::bigint), 1
from shape s, generate_series(0, s.widgets - 1) w, generate_series(0, s.minutes - 1) m,
     (values ('view', 0.6), ('click', 0.3), ('submit', 0.1)) as t (type, share);

insert into deployment.interaction_rollups_hourly
  (hub_id, widget_id, widget_version, event_type, hour, events)
select hub_id, widget_id, widget_version, event_type, date_trunc('hour', minute), sum(events)
from deployment.interaction_rollups
where hub_id = pg_temp.u('hub0') -- not the rollup's own rows of the throughput backlog
group by 1, 2, 3, 4, 5;

insert into deployment.annotation_rollups
  (hub_id, widget_id, widget_version, category, severity, minute, annotations)
select pg_temp.u('hub0'), pg_temp.u('widget' || w), 1 + (m >= s.minutes / 2)::int, 'friction',
       (array['low', 'medium', 'high'])[1 + (m % 3)],
       date_trunc('minute', now()) - make_interval(mins => s.minutes - m), 1
from (select current_setting('bench.widgets')::int as widgets,
             current_setting('bench.days')::int * 1440 as minutes) s,
     generate_series(0, s.widgets - 1) w, generate_series(0, s.minutes - 1, 7) m;
