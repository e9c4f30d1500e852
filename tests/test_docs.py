"""The README's generated sections match the catalog: every metric in the data dictionary, every check listed."""

from qfin_pipeline import catalog, docs


def test_readme_is_current():
    text = docs.README.read_text()
    assert docs.render(text) == text, "README is stale: run `python -m qfin_pipeline.docs`"


def test_data_dictionary_lists_every_metric():
    text = docs.README.read_text()
    for metric_id in catalog.load("metrics")["metric_id"]:
        assert f"| {metric_id} |" in text, metric_id
    for check in catalog.checks()["check_name"]:
        assert f"| {check} |" in text, check


PRODUCT = ("qfin_pipeline", "sql", "docs", "README.md")


def test_the_product_points_only_inside_the_repository():
    """A clone has no ../shared: the contract users read is docs/CONTRACT.md, and the README links it."""
    root = docs.REPO_ROOT
    files = [p for name in PRODUCT for p in ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    assert len(files) > 20 and root / "docs" / "CONTRACT.md" in files
    assert [str(p.relative_to(root)) for p in files if "../shared" in p.read_text(errors="replace")] == []
    assert "(docs/CONTRACT.md)" in docs.README.read_text()
