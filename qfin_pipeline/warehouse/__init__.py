"""The warehouse file, apart from Dagster: read-only access for readers (access.py), the writer lock (lock.py), the
next version built beside the published file and renamed into place (versions.py), the errors each command
reports (errors.py), and the tables the loader owns (schema.sql)."""
