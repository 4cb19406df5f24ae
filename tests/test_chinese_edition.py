"""The Chinese edition stays in step with the English source: generated, complete, faithful, executed in Chinese.

Each failure names the notebook and cell (or the source file and line) and says what to run:
``python -m helpers.course translate`` updates the catalogues and regenerates ``notebooks/zh_CN/``; a
translator then fills the empty or fuzzy entries of ``helpers/locale/zh_CN/*.po``.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import nbformat
import pytest

from helpers.course import edition

REPO = Path(__file__).resolve().parents[1]
ENGLISH = edition.english_notebooks()
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
_CODE_SPAN = re.compile(r"`[^`]+`")  # a span may wrap over a line break
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
_PERCENT = re.compile(r"(?<![A-Za-z0-9_.])\d+(?:\.\d+)?\s*%")
TRANSLATE = "run `python -m helpers.course translate`"


@pytest.fixture(scope="module")
def templates():
    return edition.templates()


@pytest.fixture(scope="module")
def catalogues(templates):
    return {name: edition.read_catalogue(name) for name in templates}


def _chinese(path: Path):
    target = edition.chinese_path(path)
    assert target.is_file(), f"{path.name} has no Chinese edition at notebooks/zh_CN/{path.name}: {TRANSLATE}"
    return nbformat.read(target, as_version=4)


# --------------------------------------------------------------------------- the splitting rule itself


def test_markdown_is_split_into_paragraphs_with_fenced_code_kept_whole():
    text = "# Title\n\nFirst line\nsecond line.\n\n```python\nx = 1\n\ny = 2\n```\n\n- a\n- b\n"
    assert edition.markdown_units(text) == ["# Title", "First line\nsecond line.", "```python\nx = 1\n\ny = 2\n```", "- a\n- b"]
    assert not edition.needs_translation("```python\nx = 1\n```")
    badge = "[![Open in Colab](https://x/badge.svg)](https://colab.research.google.com/github/o/r/blob/main/notebooks/04_a.ipynb)"
    assert not edition.needs_translation(badge)
    assert edition.edition_links(badge).endswith("/blob/main/notebooks/zh_CN/04_a.ipynb)"), "the badge opens the Chinese notebook"


def test_a_changed_english_paragraph_keeps_its_translation_as_fuzzy_and_stays_english():
    from babel.messages.catalog import Catalog

    old = Catalog(locale="zh_CN")
    old.add("Train the model for three epochs.", "训练模型三轮。", locations=[("notebooks/01_a.ipynb", 3)])
    template = Catalog(locale="zh_CN")
    template.add("Train the model for five epochs.", locations=[("notebooks/01_a.ipynb", 3)])
    old.update(template)
    entry = old.get("Train the model for five epochs.")
    assert entry.fuzzy and entry.string == "训练模型三轮。", "Babel carries the old translation over, marked fuzzy"
    problems = edition.unfinished(template, old, "01_a")
    assert [p.state for p in problems] == ["fuzzy"] and "notebooks/01_a.ipynb cell 2" in str(problems[0])
    assert edition.translation_table({"01_a": old}) == {}, "a fuzzy translation is not used"


# --------------------------------------------------------------------------- in step with the English source


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_the_chinese_notebook_is_generated_from_the_current_english_one(path, catalogues):
    english = nbformat.read(path, as_version=4)
    chinese = _chinese(path)
    expected, _missing = edition.chinese_notebook(english, edition.translation_table(catalogues), chinese, path.name)
    assert len(chinese.cells) == len(expected.cells), f"zh_CN/{path.name} has another number of cells: {TRANSLATE}"
    for index, (got, want) in enumerate(zip(chinese.cells, expected.cells)):
        assert (got.cell_type, got.source) == (want.cell_type, want.source), (
            f"zh_CN/{path.name} cell {index} ({want.cell_type}) is out of date with the English notebook and the catalogue: {TRANSLATE}"
        )
        assert got.get("id") == want.get("id") and got.metadata.get("tags") == want.metadata.get("tags"), f"cell {index}'s id or tags"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_code_cells_equal_the_english_ones_but_the_language_line(path):
    english = nbformat.read(path, as_version=4)
    chinese = _chinese(path)
    english_code = [cell.source for cell in english.cells if cell.cell_type == "code"]
    chinese_code = [cell.source for cell in chinese.cells if cell.cell_type == "code"]
    differ = [i for i, (a, b) in enumerate(zip(english_code, chinese_code)) if a != b]
    assert len(english_code) == len(chinese_code) and len(differ) == 1, f"zh_CN/{path.name}: code cells {differ} differ"
    english_lines, chinese_lines = english_code[differ[0]].split("\n"), chinese_code[differ[0]].split("\n")
    assert chinese_lines == [edition.LANGUAGE_LINE, *english_lines], "the one difference is the language line, first in the setup cell"


def test_every_paragraph_and_message_has_a_finished_translation(templates, catalogues):
    problems = [str(p) for name, template in templates.items() for p in edition.unfinished(template, catalogues[name], name)]
    assert not problems, (
        f"{len(problems)} English paragraphs or messages have no finished translation (they would show in English): "
        f"{TRANSLATE}, then translate the empty and fuzzy entries of helpers/locale/zh_CN/:\n  " + "\n  ".join(problems[:25])
    )


def _fields(text: str) -> list[str]:
    return sorted(f"{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}"
                  for _literal, name, spec, conv in string.Formatter().parse(text) if name is not None)


def test_translations_keep_placeholders_code_links_and_percentages(catalogues):
    problems = []
    for name, catalogue in catalogues.items():
        for message in catalogue:
            if not (message.id and message.string):
                continue
            where = f"{name}.po, {message.locations[0][0]}:{message.locations[0][1]}" if message.locations else f"{name}.po"
            if any(path.endswith(".py") for path, _line in message.locations):
                try:
                    same = _fields(message.id) == _fields(message.string)
                except ValueError as error:
                    same, error_text = False, str(error)
                else:
                    error_text = ""
                if not same:
                    problems.append(f"{where}: placeholders differ {error_text}: {message.string[:80]!r}")
                continue
            for label, pattern in (("inline code", _CODE_SPAN), ("link targets", _LINK_TARGET)):
                english, chinese = ([re.sub(r"\s+", " ", found) for found in pattern.findall(text)] for text in (message.id, message.string))
                if sorted(english) != sorted(chinese):
                    problems.append(f"{where}: {label} differ: {sorted(set(english) ^ set(chinese))}")
            percentages = {p.replace(" ", "") for p in _PERCENT.findall(_CODE_SPAN.sub("", message.id))}
            kept = {p.replace(" ", "") for p in _PERCENT.findall(_CODE_SPAN.sub("", message.string))}
            if percentages - kept:
                problems.append(f"{where}: percentages dropped: {sorted(percentages - kept)}")
    assert not problems, "translations must keep what the English has:\n  " + "\n  ".join(problems[:30])


# --------------------------------------------------------------------------- Chinese, and executed in Chinese


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_the_markdown_is_chinese(path):
    text = "\n".join(cell.source for cell in _chinese(path).cells if cell.cell_type == "markdown")
    prose = re.sub(r"```.*?```|`[^`]*`|\]\([^)]*\)|<[^>]+>", " ", text, flags=re.S)
    cjk, latin = len(CJK.findall(prose)), len(LATIN.findall(prose))
    assert cjk >= 0.3 * (cjk + latin), f"zh_CN/{path.name}: only {cjk / max(cjk + latin, 1):.0%} of the prose's letters are Chinese"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_the_chinese_notebook_was_executed_in_chinese(path):
    chinese = _chinese(path)
    lines = [line for cell in chinese.cells if cell.cell_type == "code" for output in cell.outputs
             for line in str(output.get("text", "")).splitlines()]
    assert lines, f"zh_CN/{path.name} has no outputs: run `make outputs` (it executes both editions)"
    assert any(CJK.search(line) for line in lines), f"zh_CN/{path.name}: no output line is Chinese; was it run with {edition.LANGUAGE_LINE}?"


def test_the_readmes_link_the_editions():
    english = (REPO / "README.md").read_text(encoding="utf-8")
    chinese = (REPO / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "README.zh-CN.md" in "\n".join(english.splitlines()[:8]), "README.md links to the Chinese README near its top"
    assert "make run" in chinese and "make test" in chinese and "COURSE_DATA_MIRROR" in chinese and "PIP_INDEX_URL" in chinese
    for path in ENGLISH:
        assert f"notebooks/zh_CN/{path.name}" in chinese, f"README.zh-CN.md does not link notebooks/zh_CN/{path.name}"
        assert f"colab.research.google.com/github/keras-image-course/keras-image-course/blob/main/notebooks/zh_CN/{path.name}" in chinese


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_the_exercises_speak_chinese(path, monkeypatch, capsys):
    """Unanswered, hinted and (where the answer is a plain value) answered: every line the learner reads is Chinese."""
    import importlib

    from helpers.exercises.base import Exercise, ____

    monkeypatch.setenv("COURSE_LANGUAGE", "zh_CN")
    module = importlib.import_module(f"helpers.exercises.nb{path.name[:2]}")
    exercises = [value for value in vars(module).values() if isinstance(value, Exercise)]
    assert len(exercises) >= 3
    for exercise in exercises:
        exercise.check(____)
        exercise.hint()
        for line in capsys.readouterr().out.strip().splitlines()[:2]:
            assert CJK.search(line), f"{path.name[:2]} {exercise.name}: not Chinese: {line[:100]!r}"
        found = exercise.feedback(exercise._answer) if exercise._answer is not None else None
        if found is not None and found.ok:
            assert CJK.search(str(found)), f"{path.name[:2]} {exercise.name}: the right answer's feedback is not Chinese: {str(found)[:100]!r}"
