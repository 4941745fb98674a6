"""A benchmark run writes its figures into docs/PERFORMANCE.md and keeps what people wrote
under them: earlier runs, what was found, what is next."""

from bench.load_bench import NOTES, replace_section

DOC = f"""# Performance

## Rooms

Measured yesterday.

| run | p95 |
| --- | ---: |
| old | 60 ms |

{NOTES}
Earlier runs, and why the slow ballots were slow.

### The worst case

Written by hand too.

## Roll-up

Its own figures.
"""


def test_a_run_replaces_the_figures_and_keeps_the_notes_and_other_sections(tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text(DOC)
    replace_section(
        "## Rooms", "## Rooms\n\nMeasured today.\n\n| run | p95 |\n| new | 20 ms |\n", doc
    )
    text = doc.read_text()
    assert "Measured today." in text and "| new | 20 ms |" in text
    assert "Measured yesterday." not in text and "| old | 60 ms |" not in text
    assert "Earlier runs, and why the slow ballots were slow." in text
    assert "### The worst case\n\nWritten by hand too.\n\n## Roll-up\n\nIts own figures.\n" in text
    assert text.count(NOTES) == 1
    replace_section("## Rooms", "## Rooms\n\nMeasured again.\n", doc)  # the next run, the same
    assert doc.read_text() == text.replace(
        "Measured today.\n\n| run | p95 |\n| new | 20 ms |", "Measured again."
    )


def test_a_section_without_notes_gets_the_line_and_a_new_section_is_appended(tmp_path):
    doc = tmp_path / "PERFORMANCE.md"
    doc.write_text("# Performance\n\n## Roll-up\n\nOld figures.\n\n## Rooms\n\nOld.\n")
    replace_section("## Roll-up", "## Roll-up\n\nNew figures.\n", doc)
    replace_section("## Slow 3G", "## Slow 3G\n\nFirst run.\n", doc)
    assert doc.read_text() == (
        f"# Performance\n\n## Roll-up\n\nNew figures.\n\n{NOTES}\n\n## Rooms\n\nOld.\n\n"
        f"## Slow 3G\n\nFirst run.\n\n{NOTES}\n"
    )
