-- period_values: one row per metric, currency and period (any duration or instant): the value the marts use, chosen among every fact and derived quarter that reports it.
-- Precedence: the most recent release's value stands; an older or rounder value that agrees with it within rounding
-- gives way to the most precise (so an exact table cell or an exact 12M - 9M quarter beats a rounded narrative figure).
with

facts as (select * from facts),
releases as (select release_id, published_on from releases),
metrics as (select metric_id, additive from dim_metric),

valued_facts as (
    select f.release_id, f.kind, f.statement, f.label, f.metric_id, f.currency, f.unit, f.period_type,
           f.period_start, f.period_end, f.value, f.decimals, f.source_line, r.published_on,
           false as derived, null::varchar as derived_from
    from facts f
    join releases r using (release_id)
    where f.kind in ('table', 'narrative', 'highlight', 'reference')
),

year_to_date as (
    select v.* from valued_facts v
    join metrics m using (metric_id)
    where v.kind = 'table' and m.additive and v.period_type in ('3M', '6M', '9M', '12M')
),

derived_quarters as (
    -- Q2 = 6M - 3M, Q3 = 9M - 6M, Q4 = 12M - 9M: additive lines only, from exact table cells of the same year
    select cur.release_id, 'table' as kind, cur.statement, cur.label, cur.metric_id, cur.currency, cur.unit,
           '3M' as period_type, (prev.period_end + interval 1 day)::date as period_start, cur.period_end,
           cur.value - prev.value as value, least(cur.decimals, prev.decimals) as decimals,
           cur.source_line, greatest(cur.published_on, prev.published_on) as published_on, true as derived,
           cur.period_type || ' ' || cur.release_id || ':' || cur.source_line || ' - '
             || prev.period_type || ' ' || prev.release_id || ':' || prev.source_line as derived_from
    from year_to_date cur
    join year_to_date prev
      on prev.metric_id = cur.metric_id
     and prev.currency is not distinct from cur.currency
     and prev.period_start = cur.period_start
     and prev.period_end = last_day(cur.period_end - interval 3 month)
    where cur.period_type <> '3M'
),

candidates as (
    select * from valued_facts
    union all by name
    select * from derived_quarters
),

ranked as (
    select *,
           -- the newest release's most precise value for this metric, currency and period
           first_value(value) over newest as newest_value,
           first_value(decimals) over newest as newest_decimals
    from candidates
    window newest as (
        partition by metric_id, currency, period_type, period_start, period_end
        order by published_on desc, decimals desc, derived, kind <> 'table', source_line
    )
),

agreeing as (
    select * from ranked
    where abs(value - newest_value) <= 0.5 * power(10, -newest_decimals) + 0.5 * power(10, -decimals) + 1e-9
),

final as (
    select metric_id, currency, period_type, period_start, period_end,
           year(period_end) as fiscal_year, quarter(period_end) as fiscal_quarter,
           value, decimals, derived, derived_from, release_id, kind, statement, label, unit, source_line
    from agreeing
    qualify row_number() over (
        partition by metric_id, currency, period_type, period_start, period_end
        order by decimals desc, published_on desc, derived, kind <> 'table', source_line
    ) = 1
)

select * from final
