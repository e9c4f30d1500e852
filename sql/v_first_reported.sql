-- v_first_reported: one row per metric, currency and period: the value as first published (earliest release, its most precise figure).
select * from first_reported
