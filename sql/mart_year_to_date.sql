-- mart_year_to_date: one row per metric, currency and year-to-date period other than nine months: six months (H1) and full years (12M).
with

period_values as (select * from period_values),

final as (
    select p.metric_id, p.currency, p.fiscal_year, p.fiscal_quarter, p.period_type, p.period_start, p.period_end,
           p.value, p.decimals, p.derived, p.release_id, p.source_line, p.kind,
           coalesce(m.statement, p.statement) as statement, p.label, p.unit
    from period_values p
    left join dim_metric m using (metric_id)
    where p.period_type in ('6M', '12M')
)

select * from final
