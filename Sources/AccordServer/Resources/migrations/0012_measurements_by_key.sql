-- Measurements are now indexed by KPI, period and segment (`measurements_by_key_idx`, from the collection's
-- declaration), which the import's lookups need; the older index on KPI and period only is a prefix of it
-- that every write would still maintain.
DROP INDEX IF EXISTS measurements_by_kpi_idx;
