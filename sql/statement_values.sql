-- statement_values: one row per statement line, currency and period column ('2024Q3' quarter, '9M2024' nine months, 'FY2024' full year): the mart value of each line, in the latest release's printed order (the long form the wide_* statements pivot).
-- A line is a (statement, section, metric) as printed in table rows; metrics no table prints (operating figures)
-- come from prose. Each statement takes its lines, labels and sections from the newest release that prints them;
-- lines only older releases print follow, newest first, then prose-only lines. Rows of the currency the statement
-- reports most come first (with the lines that have no currency), then the other currencies' rows.
with

facts as (select * from facts),
releases as (select release_id, published_on from releases),
mart_quarterly as (select * from mart_quarterly),
mart_nine_month as (select * from mart_nine_month),
mart_year_to_date as (select * from mart_year_to_date),

table_metrics as (select distinct metric_id from facts where kind = 'table'),

printings as (
    -- one row per line a release prints: table rows, else the prose mentions of metrics no table prints
    select f.release_id, r.published_on, f.statement, f.section, f.metric_id,
           arg_min(f.label, f.source_line) as label, min(f.source_line) as source_line,
           bool_or(f.kind = 'table') as from_table
    from facts f
    join releases r using (release_id)
    where f.kind = 'table'
       or (f.kind in ('narrative', 'highlight') and f.metric_id not in (select metric_id from table_metrics))
    group by f.release_id, r.published_on, f.statement, f.section, f.metric_id
),

lines as (
    -- each metric's lines within a statement as its newest printing release prints them
    select * from printings
    qualify dense_rank() over (partition by statement, metric_id order by published_on desc, release_id desc) = 1
),

statement_position as (
    -- statements in the order the newest release prints them
    select statement, coalesce(min(source_line) filter (where from_table), min(source_line)) as position
    from lines
    where published_on = (select max(published_on) from lines l where l.statement = lines.statement)
    group by statement
),

periods as (
    select metric_id, currency, unit, 'quarter' as period_kind, fiscal_year || 'Q' || fiscal_quarter as period_column,
           period_end, value, derived
    from mart_quarterly
    union all
    select metric_id, currency, unit, 'nine_months', '9M' || fiscal_year, period_end, value, derived
    from mart_nine_month
    union all
    select metric_id, currency, unit, 'full_year', 'FY' || fiscal_year, period_end, value, derived
    from mart_year_to_date
    where period_type = '12M' and fiscal_quarter = 4
),

line_values as (
    select l.statement, l.section, l.label, l.metric_id, l.release_id as printed_in, l.published_on, l.source_line,
           l.from_table,
           p.currency, p.unit, p.period_kind, p.period_column, p.period_end, p.value, p.derived
    from lines l
    join periods p using (metric_id)
),

currency_rank as (
    select statement, currency, row_number() over (partition by statement order by count(*) desc, currency) as rank
    from line_values
    where currency is not null
    group by statement, currency
),

derived_columns as (
    select statement, section, metric_id, currency, period_kind,
           string_agg(period_column, ', ' order by period_column) filter (where derived) as derived_columns
    from line_values
    group by all
),

final as (
    select v.statement,
           dense_rank() over (
               order by s.position, coalesce(c.rank, 1), v.from_table desc, v.published_on desc, v.source_line,
                        v.section, v.metric_id, v.currency
           ) as line_order,
           v.section, v.label, v.metric_id, v.currency, v.unit, v.printed_in, v.period_kind, v.period_column,
           v.period_end, v.value, v.derived, d.derived_columns
    from line_values v
    join statement_position s using (statement)
    left join currency_rank c on c.statement = v.statement and c.currency = v.currency
    join derived_columns d
      on d.statement = v.statement and d.section is not distinct from v.section and d.metric_id = v.metric_id
     and d.currency is not distinct from v.currency and d.period_kind = v.period_kind
)

select * from final
