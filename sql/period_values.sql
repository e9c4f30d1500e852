-- period_values: one row per metric, currency and period (any duration or instant): the value the marts use, chosen among every fact and derived quarter that reports it.
-- Precedence: a table value (a printed cell, or a quarter derived from printed year-to-date cells) always beats prose,
-- from any release; among table values the most recent release's stands (a restatement), and an older value that
-- agrees with it within rounding gives way to the most precise. Prose (narrative, highlight, reference) fills only
-- periods no table reports, by the same rule among prose figures. v_restatements lists every disagreement.
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
    select *, kind = 'table' as from_table from valued_facts
    union all by name
    select * exclude (derived_from), true as derived, derived_from, true as from_table from derived_quarters
),

ranked as (
    select *,
           -- the standing value: tables first, then the newest release, then its most precise value
           first_value(from_table) over standing as standing_from_table,
           first_value(value) over standing as standing_value,
           first_value(decimals) over standing as standing_decimals
    from candidates
    window standing as (
        partition by metric_id, currency, period_type, period_start, period_end
        order by from_table desc, published_on desc, decimals desc, derived, kind <> 'table', source_line, label
    )
),

agreeing as (
    -- values of the standing tier (table or prose) that agree with the standing value within rounding
    select * from ranked
    where from_table = standing_from_table
      and abs(value - standing_value) <= 0.5 * power(10, -standing_decimals) + 0.5 * power(10, -decimals) + 1e-9
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
