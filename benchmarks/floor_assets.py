"""The Dagster floor: materialize N trivial chained assets in-process on a persistent instance, in a fresh process."""

import sys

import dagster as dg


def chain(n: int) -> list[dg.AssetsDefinition]:
    assets = []
    for i in range(n):
        @dg.asset(name=f"trivial_{i}", deps=[f"trivial_{i - 1}"] if i else [])
        def _trivial() -> None:
            return None

        assets.append(_trivial)
    return assets


if __name__ == "__main__":
    result = dg.materialize(chain(int(sys.argv[1])), instance=dg.DagsterInstance.get())
    sys.exit(0 if result.success else 1)
