-- Warehouse tables written by the loader (CONTRACT.md). Marts and views come from sql/.
create table if not exists releases (
    release_id varchar primary key, ticker varchar, fiscal_year integer, fiscal_quarter integer,
    period_end date, published_on date, title varchar, source_file varchar, sha256 varchar,
    fx_rmb_per_usd double, loaded_at timestamp
);
create table if not exists facts (
    release_id varchar not null, kind varchar not null, statement varchar not null, section varchar,
    label varchar not null, metric_id varchar not null, period_type varchar not null, period_start date,
    period_end date not null, currency varchar, unit varchar not null, value decimal(38, 6) not null,
    decimals integer not null, source_line integer not null, source_column integer, source_text varchar
);
create table if not exists check_results (
    release_id varchar, check_name varchar, status varchar, severity varchar, expected decimal(38, 6),
    actual decimal(38, 6), tolerance decimal(38, 6), detail varchar, checked_at timestamp
);
create table if not exists rejected_files (
    source_file varchar, sha256 varchar, reason varchar, rejected_at timestamp
);
create table if not exists unread_figures (
    release_id varchar not null, source_line integer not null, printed varchar not null, sentence varchar,
    reason varchar not null
);
create table if not exists fetched_filings (
    accession varchar not null, form varchar, filing_date date, document varchar, outcome varchar not null,
    release_id varchar, source_file varchar, fetched_at timestamp
);
create table if not exists quarantined_checks (
    source_file varchar not null, sha256 varchar not null, release_id varchar, check_name varchar, status varchar,
    severity varchar, expected decimal(38, 6), actual decimal(38, 6), tolerance decimal(38, 6), detail varchar,
    checked_at timestamp
);
