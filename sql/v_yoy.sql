-- v_yoy: one row per metric, currency, period type and period end with a value a year earlier (3M, 6M, 9M, 12M and instants): the change and the release's own stated change.
select * exclude (comparison) from period_changes where comparison = 'yoy'
