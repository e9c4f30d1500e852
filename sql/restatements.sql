-- restatements: one row per metric, currency, period and pair of releases whose values differ beyond rounding: both values, their kinds (table or prose), both releases and the difference.
-- Each release speaks for a period with its table value where it prints one, else its most precise prose figure,
-- so a later table that restates an earlier one and prose that disagrees with a table (either order) both show.
with

facts as (select * from facts),
releases as (select release_id, published_on from releases),

per_release as (
    select f.metric_id, f.currency, f.period_type, f.period_start, f.period_end, f.release_id, r.published_on,
           f.kind, f.value, f.decimals, f.source_line, f.label
    from facts f join releases r using (release_id)
    where f.kind in ('table', 'narrative', 'highlight')
    qualify row_number() over (
        partition by f.metric_id, f.currency, f.period_type, f.period_start, f.period_end, f.release_id
        order by f.kind <> 'table', f.decimals desc, f.source_line, f.source_column, f.label
    ) = 1
),

final as (
    select new.metric_id, new.currency, new.period_type, new.period_start, new.period_end, new.label,
           old.release_id as original_release_id, old.kind as original_kind, old.value as original_value,
           old.source_line as original_source_line,
           new.release_id as restated_release_id, new.kind as restated_kind, new.value as restated_value,
           new.source_line as restated_source_line,
           new.value - old.value as difference
    from per_release new
    join per_release old
      on old.metric_id = new.metric_id
     and old.currency is not distinct from new.currency
     and old.period_type = new.period_type
     and old.period_start is not distinct from new.period_start
     and old.period_end = new.period_end
     and old.published_on < new.published_on
    where abs(new.value - old.value) > 0.5 * power(10, -new.decimals) + 0.5 * power(10, -old.decimals) + 1e-9
)

select * from final
