"""The one Definitions object `dg dev`, `dg check defs` and `dg launch` load (pyproject: [tool.dg.project])."""

import warnings

import dagster as dg

# Our own use of Dagster's beta APIs (single-run backfill policies) warns at every load of the code location, in
# every UI start and check; the choice is ours and deliberate, so only these imports silence it. Users' code keeps
# Dagster's warnings.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.BetaWarning)
    warnings.simplefilter("ignore", dg.PreviewWarning)
    from qfin_pipeline.defs import build_defs

    defs: dg.Definitions = build_defs()
