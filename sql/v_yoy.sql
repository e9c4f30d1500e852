-- v_yoy: one row per metric, currency, period type and period end with a value a year earlier (3M, 6M, 9M, 12M and instants): the change and the release's own stated change.
with

period_values as (select * from period_values),

stated_changes as (
    select metric_id, period_type, period_end, max(value) as reported_pct_change
    from facts
    where kind = 'reported_change' and label = 'yoy'
    group by all
),

final as (
    select cur.metric_id, cur.currency, cur.period_type, cur.period_start, cur.period_end,
           cur.value, prior.value as prior_value, prior.period_end as prior_period_end,
           cur.value - prior.value as abs_change,
           (cur.value - prior.value) / nullif(abs(prior.value), 0) as pct_change,
           s.reported_pct_change, coalesce(m.statement, cur.statement) as statement, cur.label, cur.unit,
           cur.release_id, prior.release_id as prior_release_id
    from period_values cur
    join period_values prior
      on prior.metric_id = cur.metric_id
     and prior.currency is not distinct from cur.currency
     and prior.period_type = cur.period_type
     and prior.period_end = last_day(cur.period_end - interval 12 month)
    left join stated_changes s
      on s.metric_id = cur.metric_id and s.period_type = cur.period_type and s.period_end = cur.period_end
    left join dim_metric m on m.metric_id = cur.metric_id
)

select * from final
