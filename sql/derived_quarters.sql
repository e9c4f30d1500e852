-- derived_quarters: one row per metric, currency and standalone quarter computed from year-to-date table cells (Q2 = 6M - 3M, Q3 = 9M - 6M, Q4 = 12M - 9M), additive lines only.
with

facts as (select * from facts),
releases as (select release_id, published_on, fx_rmb_per_usd from releases),
metrics as (select metric_id, additive from dim_metric),

year_to_date as (
    select f.release_id, f.statement, f.label, f.metric_id, f.currency, f.unit, f.period_type, f.period_start,
           f.period_end, f.value, f.decimals, f.source_line, r.published_on, r.fx_rmb_per_usd
    from facts f
    join releases r using (release_id)
    join metrics m using (metric_id)
    where f.kind = 'table' and m.additive and f.period_type in ('3M', '6M', '9M', '12M')
    -- a line printed in several tables of one release counts once
    qualify row_number() over (
        partition by f.release_id, f.metric_id, f.currency, f.period_type, f.period_end order by f.source_line
    ) = 1
),

final as (
    select cur.release_id, 'table' as kind, cur.statement, cur.label, cur.metric_id, cur.currency, cur.unit,
           '3M' as period_type, (prev.period_end + interval 1 day)::date as period_start, cur.period_end,
           cur.value - prev.value as value, least(cur.decimals, prev.decimals) as decimals,
           cur.source_line, greatest(cur.published_on, prev.published_on) as published_on,
           cur.period_type || ' ' || cur.release_id || ':' || cur.source_line || ' - '
             || prev.period_type || ' ' || prev.release_id || ':' || prev.source_line as derived_from
    from year_to_date cur
    join year_to_date prev
      on prev.metric_id = cur.metric_id
     and prev.currency is not distinct from cur.currency
     and prev.period_start = cur.period_start
     and prev.period_end = last_day(cur.period_end - interval 3 month)
    where cur.period_type <> '3M'
      -- USD cells are convenience translations at each release's own rate: subtract only at one rate
      and (cur.currency is distinct from 'USD' or cur.fx_rmb_per_usd = prev.fx_rmb_per_usd)
    -- both year-to-date cells may be printed by several releases: derive once, from the newest of each
    qualify row_number() over (
        partition by cur.metric_id, cur.currency, cur.period_end
        order by cur.published_on desc, prev.published_on desc, cur.source_line, prev.source_line
    ) = 1
)

select * from final
