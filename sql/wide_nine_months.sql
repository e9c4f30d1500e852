-- wide_nine_months: one row per statement line and currency (every statement, in the latest release's printed order, with section and label as printed); one nine-month year-to-date column (e.g. 9M2024) holding mart_nine_month's value.
with

statement_values as (select * from statement_values),

periods as (
    select statement, line_order, section, label, metric_id, currency, unit, period_column, value
    from statement_values
    where period_kind = 'nine_months'
),

final as (
    -- the period columns follow the data
    pivot periods on period_column using first(value)
    group by statement, line_order, section, label, metric_id, currency, unit
    order by line_order
)

select * from final
