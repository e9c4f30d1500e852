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
