"""The one Definitions object `dagster dev` loads (pyproject: [tool.dagster] module_name)."""

import dagster as dg

from qfin_pipeline.defs import build_defs

defs: dg.Definitions = build_defs()
