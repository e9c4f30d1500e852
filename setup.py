"""Packaging beyond pyproject.toml: the wheel carries everything a run reads.

The SQL models stay in the checkout's top-level sql/ and install as qfin_pipeline/sql/ (settings.SQL_DIR finds
either); the catalog and the warehouse schema are package data of their own packages.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["qfin_pipeline*"]), "qfin_pipeline.sql"],
    package_dir={"qfin_pipeline.sql": "sql"},
    package_data={
        "qfin_pipeline": ["**/*.csv", "**/*.sql"],  # the catalog, the warehouse schema (tests/test_install.py: all)
        "qfin_pipeline.sql": ["**/*"],  # the whole folder: every model, and whatever else sql/ comes to hold
    },
)
