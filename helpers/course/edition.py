"""The Chinese edition: translation catalogues kept in step with the English sources, and notebooks generated from them.

English is the source. ``python -m helpers.course translate`` does the whole round trip::

    python -m helpers.course translate           # update the catalogues, regenerate notebooks/zh_CN/
    python -m helpers.course translate --check   # change nothing; exit 1 when something is out of step

1. **Catalogues.** Each notebook has one gettext catalogue, ``helpers/locale/zh_CN/NN_topic.po``: the
   paragraphs of its markdown cells (one entry per paragraph, located ``notebooks/NN_topic.ipynb:<cell>``)
   and the messages of its exercises (``helpers/exercises/nbNN.py``). ``course.po`` holds every other
   message of the package (the banner, errors, downloads, messy folders). Babel extracts the messages
   (``_("...")``, :mod:`helpers.language`) and merges the catalogues: a changed English paragraph keeps
   its old translation marked *fuzzy* (shown in English until a translator confirms it), a new one
   arrives empty. Translators edit the ``.po`` files in their usual tools (Poedit, Lokalize, a text editor).
2. **Notebooks.** ``notebooks/zh_CN/NN_topic.ipynb`` is generated: markdown paragraphs replaced by their
   finished translations, code cells copied unchanged except for one line, ``%env COURSE_LANGUAGE=zh_CN``,
   at the top of the setup cell (which makes every message Chinese), and the Colab badge pointing at the
   Chinese notebook. Outputs come from running the notebook (``make outputs`` runs both editions); a
   regenerated notebook keeps the outputs of every code cell whose source did not change.

Nothing in ``helpers`` outside ``helpers.course`` imports this module.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
HELPERS = REPO / "helpers"
LANGUAGE = "zh_CN"
EDITION = NOTEBOOKS / LANGUAGE
CATALOGUES = HELPERS / "locale" / LANGUAGE
#: The catalogue of every message that belongs to no one notebook.
COURSE_CATALOGUE = "course"
#: The one line by which a Chinese notebook's code differs from the English one.
LANGUAGE_LINE = f"%env COURSE_LANGUAGE={LANGUAGE}"
#: gettext's keywords, as Babel's extractor takes them.
KEYWORDS = {"_": None, "gettext": None, "N_": None}

_FENCE = re.compile(r"^\s*(```|~~~)")
_NOTEBOOK_LINK = re.compile(r"(/blob/[^/\s)]+/notebooks/)(\d\d_[\w-]+\.ipynb)")


def english_notebooks() -> list[Path]:
    """The English notebooks, ``notebooks/NN_topic.ipynb``, in order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def chinese_path(english: Path) -> Path:
    """Where the Chinese edition of an English notebook lives."""
    return EDITION / english.name


# --------------------------------------------------------------------------- markdown paragraphs


def markdown_units(text: str) -> list[str]:
    """The paragraphs of a markdown cell, each one entry of the catalogue: split at blank lines, fenced code kept whole."""
    units: list[str] = []
    current: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and not line.strip():
            if current:
                units.append("\n".join(current).strip("\n"))
                current = []
            continue
        current.append(line)
    if current:
        units.append("\n".join(current).strip("\n"))
    return [unit for unit in units if unit.strip()]


def needs_translation(unit: str) -> bool:
    """False for a paragraph that is only fenced code or only links and badges (it is copied, links pointed at the edition)."""
    if _FENCE.match(unit) and unit.rstrip().endswith(("```", "~~~")):
        return False
    without_links = re.sub(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)", "", unit)
    return bool(re.search(r"[A-Za-z]{2}", without_links))


def edition_links(text: str) -> str:
    """Point links at an English notebook (Colab, GitHub) at its Chinese edition."""
    return _NOTEBOOK_LINK.sub(lambda m: f"{m.group(1)}{LANGUAGE}/{m.group(2)}", text)


# --------------------------------------------------------------------------- catalogues


def catalogue_name(source: Path) -> str:
    """The catalogue a Python source's messages belong to: ``NN_topic`` for ``exercises/nbNN.py``, else ``course``."""
    match = re.fullmatch(r"nb(\d\d)", source.stem)
    if match and source.parent.name == "exercises":
        for notebook in english_notebooks():
            if notebook.name.startswith(match.group(1)):
                return notebook.stem
    return COURSE_CATALOGUE


def message_sources() -> list[Path]:
    """The package's Python files whose messages a learner may meet (the course's own machinery left out)."""
    return sorted(p for p in HELPERS.rglob("*.py") if "course" not in p.relative_to(HELPERS).parts[:1])


def new_catalogue(name: str) -> Any:
    """An empty catalogue with the course's header."""
    from babel.messages.catalog import Catalog

    what = "the notebook " + name if name != COURSE_CATALOGUE else "the messages of the helpers package"
    return Catalog(
        locale=LANGUAGE, domain=name, project="keras-image-course", version="0.1", fuzzy=False,
        header_comment=f"# Simplified Chinese translation of {what}.\n# Generated and merged by `python -m helpers.course "
                       "translate`; edit the msgstr lines (Poedit, Lokalize or a text editor), never the msgid lines.",
        copyright_holder="the keras-image-course contributors", msgid_bugs_address="https://github.com/keras-image-course/keras-image-course/issues",
        last_translator="keras-image-course contributors", language_team="Simplified Chinese",
    )


def templates() -> dict[str, Any]:
    """What each catalogue must hold now, from the English sources: catalogue name -> Babel ``Catalog`` (no translations)."""
    from babel.messages.extract import extract_from_file

    catalogues: dict[str, Any] = {}

    def catalogue(name: str) -> Any:
        if name not in catalogues:
            catalogues[name] = new_catalogue(name)
        return catalogues[name]

    import nbformat

    for notebook_path in english_notebooks():
        notebook = nbformat.read(notebook_path, as_version=4)
        target = catalogue(notebook_path.stem)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "markdown":
                continue
            for unit in markdown_units(cell.source):
                if needs_translation(unit):
                    _add(target, unit, (f"notebooks/{notebook_path.name}", index + 1))  # gettext counts lines from 1
    for source in message_sources():
        target = catalogue(catalogue_name(source))
        for lineno, message, comments, _context in extract_from_file("python", str(source), keywords=KEYWORDS,
                                                                       comment_tags=("TRANSLATORS:",)):
            if isinstance(message, str) and message.strip():
                _add(target, message, (str(source.relative_to(REPO)), lineno), comments)
    return catalogues


def _add(catalogue: Any, message: str, location: tuple[str, int], comments: Iterable[str] = ()) -> None:
    existing = catalogue.get(message)
    if existing is not None:
        existing.locations.append(location)
        return
    flags = ["python-brace-format"] if re.search(r"\{[\w.\[\]]*(![rsa])?(:[^{}]*)?\}", message) and location[0].endswith(".py") else []
    catalogue.add(message, locations=[location], auto_comments=list(comments), flags=flags)


def read_catalogue(name: str) -> Any:
    """The catalogue ``name`` as committed (an empty one if there is none yet)."""
    from babel.messages.pofile import read_po

    path = CATALOGUES / f"{name}.po"
    if not path.is_file():
        return new_catalogue(name)
    with open(path, "rb") as handle:
        return read_po(handle, locale=LANGUAGE, domain=name)


def merged_catalogue(name: str, template: Any) -> Any:
    """The committed catalogue ``name`` brought up to date with ``template``: new entries empty, changed ones fuzzy."""
    catalogue = read_catalogue(name)
    catalogue.update(template, update_creation_date=False)
    catalogue.obsolete.clear()
    return catalogue


def catalogue_text(catalogue: Any) -> bytes:
    """The ``.po`` file of a catalogue, as Babel writes it (in the order of the sources)."""
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, ignore_obsolete=True, include_previous=True)
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date|Generated-By): [^"\\]*\\n"\n', b"", buffer.getvalue())


@dataclass
class Unfinished:
    """An entry without a finished translation: where it comes from, and whether it is fuzzy or missing."""

    catalogue: str
    locations: list[tuple[str, int]]
    message: str
    state: str  # "missing" or "fuzzy"

    def __str__(self) -> str:
        where = ", ".join(f"{path} cell {line - 1}" if path.endswith(".ipynb") else f"{path}:{line}" for path, line in self.locations[:3])
        return f"{self.catalogue}.po: {self.state} translation for {where}: {self.message[:90]!r}"


def unfinished(template: Any, catalogue: Any, name: str) -> list[Unfinished]:
    """Every entry of ``template`` whose translation in ``catalogue`` is missing or fuzzy."""
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id)
        if found is None or not found.string:
            problems.append(Unfinished(name, message.locations, message.id, "missing"))
        elif found.fuzzy:
            problems.append(Unfinished(name, message.locations, message.id, "fuzzy"))
    return problems


def translation_table(catalogues: dict[str, Any]) -> dict[str, str]:
    """Every finished translation of the given catalogues: English -> Chinese."""
    return {m.id: m.string for catalogue in catalogues.values() for m in catalogue if m.id and m.string and not m.fuzzy}


# --------------------------------------------------------------------------- notebooks


def setup_cell_index(notebook: Any) -> int:
    """The index of the setup cell (the first code cell that imports ``helpers``), where the language line goes."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and re.search(r"^(import helpers|from helpers)", cell.source, re.M):
            return index
    raise ValueError("no code cell imports helpers: the notebook has no setup cell for the language line")


def translate_markdown(text: str, table: dict[str, str]) -> tuple[str, list[str]]:
    """A markdown cell in Chinese, and the paragraphs left in English for want of a finished translation."""
    out, missing = [], []
    for unit in markdown_units(text):
        if needs_translation(unit):
            if unit in table:
                unit = table[unit]
            else:
                missing.append(unit)
        out.append(edition_links(unit))
    return "\n\n".join(out), missing


def chinese_notebook(english: Any, table: dict[str, str], previous: Any | None = None, source_name: str = "") -> tuple[Any, list[str]]:
    """The Chinese edition of an English notebook, and the paragraphs that stayed in English.

    ``previous`` is the committed Chinese notebook: its outputs are kept for every code cell whose source
    (and id) did not change.
    """
    notebook = copy.deepcopy(english)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    setup = setup_cell_index(notebook)
    notebook.cells[setup].source = LANGUAGE_LINE + "\n" + notebook.cells[setup].source
    missing: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source, left = translate_markdown(cell.source, table)
            missing += left
    if previous is not None:
        earlier = {cell.get("id"): cell for cell in previous.cells if cell.cell_type == "code"}
        for cell in notebook.cells:
            old = earlier.get(cell.get("id"))
            if cell.cell_type == "code" and old is not None and old.source == cell.source:
                cell.outputs, cell.execution_count = old.outputs, old.get("execution_count")
                if "execution" in old.metadata:
                    cell.metadata["execution"] = old.metadata["execution"]
    notebook.metadata["language_edition"] = {"language": LANGUAGE, "generated_from": f"../{source_name}"}
    return notebook, missing


@dataclass
class EditionReport:
    """What ``translate`` found: the catalogues written, the notebooks written, and what is unfinished."""

    catalogues_changed: list[str] = field(default_factory=list)
    notebooks_changed: list[str] = field(default_factory=list)
    unfinished: list[Unfinished] = field(default_factory=list)


def build(write: bool = True) -> EditionReport:
    """Bring the catalogues and ``notebooks/zh_CN/`` up to date with the English sources (or, with ``write=False``, only say what would change)."""
    import nbformat

    report = EditionReport()
    merged = {}
    for name, template in templates().items():
        catalogue = merged_catalogue(name, template)
        merged[name] = catalogue
        report.unfinished += unfinished(template, catalogue, name)
        path = CATALOGUES / f"{name}.po"
        text = catalogue_text(catalogue)
        if not path.is_file() or path.read_bytes() != text:
            report.catalogues_changed.append(path.name)
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text)
    table = translation_table(merged)
    for english_path in english_notebooks():
        english = nbformat.read(english_path, as_version=4)
        target = chinese_path(english_path)
        previous = nbformat.read(target, as_version=4) if target.is_file() else None
        notebook, _missing = chinese_notebook(english, table, previous, english_path.name)
        text = nbformat.writes(notebook) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            report.notebooks_changed.append(target.name)
            if write:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    return report
