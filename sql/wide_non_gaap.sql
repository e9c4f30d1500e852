-- wide_non_gaap: one row per non-GAAP reconciliation line and currency in the latest release's printed order, with section and label as printed; one column per fiscal quarter (e.g. 2024Q3) holding mart_quarterly's value; derived_columns names the quarters computed from year-to-date figures (e.g. Q4 = 12M - 9M).
with

statement_values as (select * from statement_values),

quarters as (
    select line_order, section, label, metric_id, currency, unit, derived_columns, period_column, value
    from statement_values
    where statement = 'non_gaap' and period_kind = 'quarter'
),

final as (
    -- the period columns follow the data (one per quarter any release reports)
    pivot quarters on period_column using first(value)
    group by line_order, section, label, metric_id, currency, unit, derived_columns
    order by line_order
)

select * from final
