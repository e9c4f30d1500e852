-- v_qoq: one row per metric, currency, period type and quarter end with a value a quarter earlier (3M vs the prior 3M, quarter-end instants vs the prior quarter end).
select * exclude (comparison) from period_changes where comparison = 'qoq'
