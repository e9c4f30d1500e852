-- v_restatements: one row per metric, currency, period and pair of releases whose values differ beyond rounding: both values, both releases and the difference.
select * from restatements
