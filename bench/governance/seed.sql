-- Seed of `npm run bench:governance`: set-based, into a freshly migrated database. Sizes from
-- the session settings bench.requirements, bench.decisions and bench.hubs (the run sets them).
-- Ids are md5 UUIDs of a name ('hub3', 'req42', 'decision7'), so the run can name rows.
-- Every requirement has its promoted candidate and widget in the read models (the trace then
-- needs no RPC); decisions are spread evenly over the requirements (decision d is on
-- requirement 1 + (d - 1) % R), newest first by d; every fifth round of them supersedes the
-- previous decision on its requirement; 1 in 5 decisions cites a policy, 1 in 4 links a work item.
create function pg_temp.u(text) returns uuid language sql immutable as
  $$ select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid $$;

create temp table sizes as
  select current_setting('bench.requirements')::int as nr,
         current_setting('bench.decisions')::int as nd,
         current_setting('bench.hubs')::int as nh,
         1000 as widgets,
         301 as deciders,
         date_trunc('milliseconds', now()) as t0;

insert into governance.widgets (id, hub_id, name, widget_type, status, version)
select pg_temp.u('widget' || w), pg_temp.u('hub' || (w % s.nh)), 'Widget ' || w, 'feedback_button',
       'active', 1
from sizes s, generate_series(0, s.widgets - 1) w;

insert into governance.principals (user_id, name, roles, hub_ids)
select pg_temp.u('decider' || k), 'Governor ' || k, '{governor}',
       (select array_agg(pg_temp.u('hub' || x)) from generate_series(0, s.nh - 1) x)
from sizes s, generate_series(0, s.deciders - 1) k;

-- Requirement r lives in hub r % h, from widget r % widgets (same hub: h divides widgets).
insert into governance.candidates (id, hub_id, title, description, status, version,
  source_widget_id, source_thread_id, source_annotation_id, requirement_id, created_at)
select pg_temp.u('candidate' || r), pg_temp.u('hub' || (r % s.nh)), 'Candidate ' || r,
       'What users asked for in thread ' || r, 'promoted', 3, pg_temp.u('widget' || (r % s.widgets)),
       pg_temp.u('thread' || r), pg_temp.u('annotation' || r), pg_temp.u('req' || r),
       s.t0 - make_interval(mins => r)
from sizes s, generate_series(1, s.nr) r;

-- 1 in 20 is superseded by the requirement h further on (same hub), 1 in 50 retired.
insert into governance.requirements (id, hub_id, title, description, source_candidate_id,
  source_widget_id, status, superseded_by_id, version, created_by, created_at)
select pg_temp.u('req' || r), pg_temp.u('hub' || (r % s.nh)), 'Requirement ' || r,
       'The checkout dialog must keep the basket when requirement ' || r || ' applies',
       pg_temp.u('candidate' || r), pg_temp.u('widget' || (r % s.widgets)),
       case when r % 20 = 0 and r + s.nh <= s.nr then 'superseded'
            when r % 50 = 1 then 'retired' else 'active' end,
       case when r % 20 = 0 and r + s.nh <= s.nr then pg_temp.u('req' || (r + s.nh)) end,
       case when r % 20 = 0 and r + s.nh <= s.nr or r % 50 = 1 then 2 else 1 end,
       pg_temp.u('decider' || (r % s.deciders)), s.t0 - make_interval(mins => r)
from sizes s, generate_series(1, s.nr) r;

insert into governance.requirement_history (requirement_id, version, change, title, description,
  status, changed_by, changed_at)
select id, 1, 'promoted', title, description, 'active', created_by, created_at
from governance.requirements;

-- Decision d: hub (d - 1) % h; within a hub the outcome and the decider cycle with d / h.
-- Titles and rationales draw words from a small vocabulary (full-text filters), with one
-- rare word in 997 (a prime: in every hub), and 'quokka' in 1 in 991 of every hub but hub0
-- (decision d is in hub d % h when h divides the requirements).
insert into governance.decision_records (id, hub_id, title, rationale, outcome, requirement_id,
  candidate_id, widget_id, supersedes_id, decided_by, decided_at, notes)
select pg_temp.u('decision' || d), pg_temp.u('hub' || (q % s.nh)),
       'Decision ' || d || ' on requirement ' || q,
       'Because of ' || (array['checkout','latency','privacy','export','onboarding','billing',
         'search','accessibility'])[1 + d % 8] || ' feedback and ' ||
         (array['mobile','desktop','tablet'])[1 + d % 3] || ' users'
         || case when d % 997 = 0 then ' zeppelin' else '' end
         || case when d % 991 = 0 and d % s.nh <> 0 then ' quokka' else '' end,
       (array['approved','rejected','deferred','needs_information'])[1 + (d / s.nh) % 4],
       pg_temp.u('req' || q), pg_temp.u('candidate' || q), pg_temp.u('widget' || (q % s.widgets)),
       case when d > s.nr and ((d - 1) / s.nr) % 5 = 1 then pg_temp.u('decision' || (d - s.nr)) end,
       pg_temp.u('decider' || ((d / s.nh) % s.deciders)),
       s.t0 - make_interval(secs => d),
       case when d % 10 = 0 then 'Revisit after the next release' end
from sizes s, generate_series(1, s.nd) d, lateral (select 1 + (d - 1) % s.nr as q) req;

insert into governance.policy_references (hub_id, decision_id, policy_scope, constraint_note,
  created_by, created_at)
select pg_temp.u('hub' || (q % s.nh)), pg_temp.u('decision' || d),
       'policy/' || (array['gdpr','accessibility','retention','security','pricing'])[1 + d % 5]
         || '/' || (d % 7),
       'Applies to ' || q, pg_temp.u('decider' || ((d / s.nh) % s.deciders)),
       s.t0 - make_interval(secs => d)
from sizes s, generate_series(5, s.nd, 5) d, lateral (select 1 + (d - 1) % s.nr as q) req;

insert into governance.implementation_change_references (hub_id, decision_id, work_item_ref,
  system, url, tracker_key, state, state_changed_at, linked_by, linked_at)
select pg_temp.u('hub' || (q % s.nh)), pg_temp.u('decision' || d), 'acme/app#' || d, 'github',
       'https://github.com/acme/app/issues/' || d, 'acme/app#' || d,
       (array['unknown','open','closed','merged'])[1 + d % 4],
       case when d % 4 <> 0 then s.t0 - make_interval(secs => d) end,
       pg_temp.u('decider' || ((d / s.nh) % s.deciders)), s.t0 - make_interval(secs => d)
from sizes s, generate_series(4, s.nd, 4) d, lateral (select 1 + (d - 1) % s.nr as q) req;

insert into governance.work_item_drafts (hub_id, requirement_id, title, description, system,
  source_proposal_id, created_at)
select pg_temp.u('hub' || (r % s.nh)), pg_temp.u('req' || r), 'Implement requirement ' || r,
       'Drafted by an agent', 'github', pg_temp.u('proposal' || r), s.t0 - make_interval(mins => r)
from sizes s, generate_series(50, s.nr, 50) r;
