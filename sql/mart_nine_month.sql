-- mart_nine_month: one row per metric, currency and fiscal year: the nine months to September 30 (year to date), each year's and its prior-year comparative alike.
with

period_values as (select * from period_values),

final as (
    select p.metric_id, p.currency, p.fiscal_year, p.fiscal_quarter, p.period_type, p.period_start, p.period_end,
           p.value, p.decimals, p.derived, p.release_id, p.source_line, p.kind,
           coalesce(m.statement, p.statement) as statement, p.label, p.unit
    from period_values p
    left join dim_metric m using (metric_id)
    where p.period_type = '9M'
)

select * from final
