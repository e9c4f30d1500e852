-- v_guidance_vs_actual: one row per outlook figure (a release's guidance for one metric, period and currency): the printed range or single figure, the actual the marts hold for that period, and the verdict.
-- verdict: 'above' / 'below' when the actual lies outside the printed bounds (compared exactly), 'within' otherwise,
-- 'pending' while no release reports the period. Outlook labels end in ' guidance low', ' guidance high' or ' guidance'.
with

facts as (select * from facts),
period_values as (select * from period_values),

outlook as (
    select release_id, metric_id, period_type, period_start, period_end, currency, unit, value, decimals, source_line,
           case when label like '% guidance low' then 'low'
                when label like '% guidance high' then 'high'
                else 'point' end as bound
    from facts
    where kind = 'outlook'
),

guidance as (
    select release_id, metric_id, period_type, period_start, period_end, currency, unit,
           min(value) filter (where bound in ('low', 'point')) as guidance_low,
           max(value) filter (where bound in ('high', 'point')) as guidance_high,
           min(decimals) as guidance_decimals, min(source_line) as guidance_source_line
    from outlook
    group by release_id, metric_id, period_type, period_start, period_end, currency, unit
),

final as (
    select g.metric_id, g.period_type, g.period_start, g.period_end,
           case g.period_type when '3M' then year(g.period_end) || 'Q' || quarter(g.period_end)
                              when '12M' then 'FY' || year(g.period_end)
                              else g.period_type || ' to ' || g.period_end end as period,
           g.currency, g.unit, g.guidance_low, g.guidance_high, g.guidance_decimals,
           g.release_id as guidance_release_id, g.guidance_source_line,
           a.value as actual_value, a.decimals as actual_decimals, a.release_id as actual_release_id,
           a.kind as actual_kind, a.derived as actual_derived, a.source_line as actual_source_line,
           case when a.value is null then 'pending'
                when a.value > coalesce(g.guidance_high, g.guidance_low) then 'above'
                when a.value < coalesce(g.guidance_low, g.guidance_high) then 'below'
                else 'within' end as verdict,
           -- exact: DECIMAL times 0.5 keeps every digit
           a.value - (coalesce(g.guidance_low, g.guidance_high) + coalesce(g.guidance_high, g.guidance_low)) * 0.5
               as difference_from_midpoint
    from guidance g
    left join period_values a
      on a.metric_id = g.metric_id
     and a.currency is not distinct from g.currency
     and a.period_type = g.period_type
     and a.period_start is not distinct from g.period_start
     and a.period_end = g.period_end
)

select * from final
