-- v_underived_quarters: one row per metric, currency and quarter that only year-to-date cells cover and that is never derived, with the reason.
with

facts as (select * from facts),
metrics as (select metric_id, unit, additive from dim_metric),
quarters as (select metric_id, currency, period_end from mart_quarterly where period_type = '3M'),

year_to_date as (
    select distinct f.metric_id, f.currency, f.period_end, f.period_type, m.unit
    from facts f
    join metrics m using (metric_id)
    where f.kind = 'table' and f.period_type in ('6M', '9M', '12M') and not m.additive
),

final as (
    select y.metric_id, y.currency, year(y.period_end) as fiscal_year, quarter(y.period_end) as fiscal_quarter,
           y.period_end,
           case y.unit
               when 'per_share' then 'per-share figure: not additive across quarters'
               when 'pure' then 'ratio or margin: not additive across quarters'
               when 'shares' then 'weighted share count: not additive across quarters'
               else 'not an additive line (balance or point-in-time figure)'
           end as reason
    from year_to_date y
    where not exists (
        select 1 from quarters q
        where q.metric_id = y.metric_id and q.currency is not distinct from y.currency and q.period_end = y.period_end
    )
)

select * from final
