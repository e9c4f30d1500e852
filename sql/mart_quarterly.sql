-- mart_quarterly: one row per metric, currency and fiscal quarter: 3M values and quarter-end instants, reported or derived (Q4 = 12M - 9M).
with

period_values as (select * from period_values),

latest_labels as (
    -- the label as printed in the most recent release that reports the line
    select f.metric_id, f.label
    from facts f join releases r using (release_id)
    where f.kind in ('table', 'narrative', 'highlight', 'reference')
    qualify row_number() over (
        partition by f.metric_id order by r.published_on desc, f.kind <> 'table', f.source_line, f.label
    ) = 1
),

quarters as (
    select * from period_values
    where period_type = '3M'
       or (period_type = 'instant' and period_end = last_day(period_end) and month(period_end) % 3 = 0)
),

final as (
    select q.metric_id, q.currency, q.fiscal_year, q.fiscal_quarter, q.period_type, q.period_start, q.period_end,
           q.value, q.decimals, q.derived, q.derived_from, q.release_id, q.source_line, q.kind,
           coalesce(m.statement, q.statement) as statement, coalesce(l.label, q.label) as label, q.unit
    from quarters q
    left join dim_metric m using (metric_id)
    left join latest_labels l using (metric_id)
)

select * from final
