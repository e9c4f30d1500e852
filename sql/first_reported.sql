-- first_reported: one row per metric, currency and period: the value as first published (earliest release, its most precise figure).
with

facts as (select * from facts),
releases as (select release_id, published_on from releases),

final as (
    select f.metric_id, f.currency, f.period_type, f.period_start, f.period_end, f.value, f.decimals,
           f.release_id, r.published_on, f.kind, f.label, f.source_line
    from facts f join releases r using (release_id)
    where f.kind in ('table', 'narrative', 'highlight', 'reference')
    qualify row_number() over (
        partition by f.metric_id, f.currency, f.period_type, f.period_start, f.period_end
        order by r.published_on, f.decimals desc, f.kind <> 'table', f.source_line, f.source_column, f.label
    ) = 1
)

select * from final
