-- period_changes: one row per metric, currency, period and comparison ('yoy': a year earlier, like durations; 'qoq': the prior quarter, 3M and quarter-end instants) with the release's own stated change.
with

period_values as (select * from period_values),
metrics as (select metric_id, statement from dim_metric),

comparisons as (
    select * from (values ('yoy', 12), ('qoq', 3)) as c(comparison, months_back)
),

stated_changes as (
    select metric_id, period_type, period_end, label as comparison, max(value) as reported_pct_change
    from facts
    where kind = 'reported_change' and label in ('yoy', 'qoq')
    group by all
),

comparable as (
    -- QoQ only between quarters: 3M values and quarter-end instants
    select p.*, c.comparison, c.months_back
    from period_values p
    cross join comparisons c
    where c.comparison = 'yoy'
       or p.period_type = '3M'
       or (p.period_type = 'instant' and p.period_end = last_day(p.period_end) and month(p.period_end) % 3 = 0)
),

final as (
    select cur.comparison, cur.metric_id, cur.currency, cur.period_type, cur.period_start, cur.period_end,
           cur.value, prior.value as prior_value, prior.period_end as prior_period_end,
           cur.value - prior.value as abs_change,
           (cur.value - prior.value) / nullif(abs(prior.value), 0) as pct_change,
           s.reported_pct_change, coalesce(m.statement, cur.statement) as statement, cur.label, cur.unit,
           cur.release_id, prior.release_id as prior_release_id
    from comparable cur
    join period_values prior
      on prior.metric_id = cur.metric_id
     and prior.currency is not distinct from cur.currency
     and prior.period_type = cur.period_type
     and prior.period_end = last_day(cur.period_end - to_months(cur.months_back))
    left join stated_changes s
      on s.metric_id = cur.metric_id and s.period_type = cur.period_type and s.period_end = cur.period_end
     and s.comparison = cur.comparison
    left join metrics m on m.metric_id = cur.metric_id
)

select * from final
