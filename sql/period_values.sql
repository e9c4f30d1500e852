-- period_values: one row per metric, currency and period (any duration or instant): the value the marts use, chosen among every fact and derived quarter that reports it.
-- Precedence: the most recent release's value stands; an older or rounder value that agrees with it within rounding
-- gives way to the most precise (so an exact table cell or an exact 12M - 9M quarter beats a rounded narrative figure).
with

facts as (select * from facts),
releases as (select release_id, published_on from releases),
derived_quarters as (select * from derived_quarters),

valued_facts as (
    select f.release_id, f.kind, f.statement, f.label, f.metric_id, f.currency, f.unit, f.period_type,
           f.period_start, f.period_end, f.value, f.decimals, f.source_line, r.published_on,
           false as derived, null::varchar as derived_from
    from facts f
    join releases r using (release_id)
    where f.kind in ('table', 'narrative', 'highlight', 'reference')
),

candidates as (
    select * from valued_facts
    union all by name
    select * exclude (derived_from), true as derived, derived_from from derived_quarters
),

ranked as (
    select *,
           -- the newest release's most precise value for this metric, currency and period
           first_value(value) over newest as newest_value,
           first_value(decimals) over newest as newest_decimals
    from candidates
    window newest as (
        partition by metric_id, currency, period_type, period_start, period_end
        order by published_on desc, decimals desc, derived, kind <> 'table', source_line, label
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
        order by decimals desc, published_on desc, derived, kind <> 'table', source_line, label
    ) = 1
)

select * from final
