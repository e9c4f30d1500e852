-- wide_full_year: one row per statement line and currency (every statement, in the latest release's printed order, with section and label as printed); one full fiscal year column (e.g. FY2024) holding the 12M value of mart_year_to_date.
with

statement_values as (select * from statement_values),

periods as (
    select statement, line_order, section, label, metric_id, currency, unit, period_column, value
    from statement_values
    where period_kind = 'full_year'
),

final as (
    -- the period columns follow the data
    pivot periods on period_column using first(value)
    group by statement, line_order, section, label, metric_id, currency, unit
    order by line_order
)

select * from final
