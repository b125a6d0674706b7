"""Run stats: counting disagreements, the summary line, the stats file's fields."""

from __future__ import annotations

from osce_scrape.harvest.stats import MAX_EXAMPLES, RunStats


def test_disagreements_are_counted_with_a_bounded_list_of_examples() -> None:
    """Every disagreement is counted by field; only the first MAX_EXAMPLES are kept verbatim."""
    stats = RunStats()
    for n in range(MAX_EXAMPLES + 5):
        stats.disagree("date", f"http://x/{n}", "2024-01-01", "2024-01-02")
    stats.disagree("title", "http://x/t", "Old", "New")
    assert stats.listing_disagreements == {"date": MAX_EXAMPLES + 5, "title": 1}
    assert len(stats.disagreement_examples) == MAX_EXAMPLES
    assert stats.disagreement_examples[0] == {
        "url": "http://x/0", "field": "date", "listing": "2024-01-01", "page": "2024-01-02"}  # fmt: skip


def test_summary_line_and_stats_fields() -> None:
    """The one-line summary names the counts; the stats dict has every field the run file promises."""
    errors = {"NetworkError": 1, "HttpStatusError": 2}
    stats = RunStats(discovered=12, fetched=10, not_modified=2, new=7, changed=1, rejected=2,
                     errors=errors, bytes=2_500_000, seconds=3.5)  # fmt: skip
    assert stats.line() == (
        "12 discovered, 10 fetched, 2 not modified, 7 new, 1 changed, 0 skipped (not press releases), "
        "2 rejected, "
        "errors: HttpStatusError 2, NetworkError 1, 2.5 MB in 3.5 s"
    )
    assert stats.failed == 3 and stats.done == 15
    fields = stats.as_dict()
    for name in ("discovered", "fetched", "not_modified", "new", "changed", "rejected", "errors", "retries",
                 "bytes", "seconds", "listing_disagreements"):  # fmt: skip
        assert name in fields
