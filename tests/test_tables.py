"""The one text-table rule (helpers.tables.text_table): widths, alignment, gaps, rules, footer, no trailing spaces."""

from __future__ import annotations

import pytest

from helpers.tables import text_table


def test_columns_are_as_wide_as_their_widest_cell_and_lines_end_without_spaces():
    table = text_table([("cats", "1,000", ""), ("dogs", "50", "x")], ("class", "images", "note"), align="lr")
    assert table.splitlines() == [
        "class  images  note",
        "cats    1,000",  # the empty last cell leaves no trailing spaces
        "dogs       50  x",
    ]


def test_rules_under_the_header_and_above_the_footer():
    rows, head, total = [("a", "1"), ("bbb", "22")], ("name", "n"), [("total", "23")]
    assert text_table(rows, head, align="lr", rule="columns", footer=total).splitlines() == [
        "name    n", "-----  --", "a       1", "bbb    22", "-----  --", "total  23",
    ]
    assert text_table(rows, head, align="lr", rule="line").splitlines() == ["name   n", "--------", "a      1", "bbb   22"]
    assert text_table(rows, footer=total) == "a      1\nbbb    22\ntotal  23"  # left-aligned; no rule asked for, none drawn


def test_minimum_widths_and_one_gap_per_pair_of_columns():
    rows = [("daisy", "200", "images"), ("total", "1,000", "images")]
    assert text_table(rows, align="lrl", min_widths=(0, 6), gap=("  ", " ")).splitlines() == [
        "daisy     200 images", "total   1,000 images",
    ]
    assert text_table([("7",)], ("n",), align="r", min_widths=(3,)) == "  n\n  7"


def test_empty_and_malformed_tables():
    assert text_table([]) == ""
    assert text_table([], ("a", "b"), rule="columns") == "a  b\n-  -"
    with pytest.raises(ValueError, match="same number of cells"):
        text_table([("a", "b"), ("c",)])
    with pytest.raises(ValueError, match="'l' or 'r'"):
        text_table([("a", "b")], align="lc")
    with pytest.raises(ValueError, match="gaps"):
        text_table([("a", "b", "c")], gap=(" ",))
    with pytest.raises(ValueError, match="rule"):
        text_table([("a",)], ("h",), rule="double")
