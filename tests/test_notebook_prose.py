"""No hand-typed run figures: a percentage in a notebook's prose is printed by the notebook, or marked as a reference.

A markdown cell may quote a percentage only if (a) the notebook's committed outputs show the same
figure (as a percentage, or as a fraction such as 0.628 for 62.8%, at the precision the prose uses), or
(b) the same line marks it as a figure from elsewhere, with one of the words in ``REFERENCE_WORDS``.
Percentages inside inline code (`validation_split=0.1`, `"50%"`) are code, not claims, and are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

REPO = Path(__file__).resolve().parents[1]
# Both editions: the Chinese prose quotes the figures of the Chinese run.
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted((REPO / "notebooks" / "zh_CN").glob("[0-9][0-9]_*.ipynb"))

REFERENCE_WORDS = ("published", "reference", "target", "full profile", "paper", "reported",
                   "发表", "公布", "参考", "目标", "完整配置", "论文", "报告", "文献")

# "62.8%", "62.8 %", "94 percent", and both ends of a range such as "70–75%" or "70-75%"; a figure may
# follow a Chinese character directly ("准确率62.8%"), so only ASCII letters and digits before it hide it
_PERCENT = re.compile(r"(?<![A-Za-z0-9_.])(\d+(?:\.\d+)?)(?:\s*(?:–|-|~|～|到|至|to)\s*(\d+(?:\.\d+)?))?\s*(?:%|％|\s?per\s?cent\b)")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.])(\d+(?:\.\d+)?)(\s*%)?")
_CODE_SPAN = re.compile(r"`[^`]*`")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# losses and learning rates in training logs are fractions too, but never a percentage a sentence quotes
_NOT_PERCENTAGES = re.compile(r"\b\w*(?:loss|learning_rate|lr)\w*\s*[:=]\s*[-+\d.e]+", re.I)


def _output_text(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(output.get("text", ""))
            elif output.get("output_type") in ("execute_result", "display_data"):
                data = output.get("data", {})
                parts += [data.get(kind, "") for kind in ("text/plain", "text/markdown", "text/html")]
    return "\n".join(part if isinstance(part, str) else "".join(part) for part in parts)


def printed_percentages(text: str) -> set[float]:
    """Every figure of ``text`` that can be read as a percentage: ``62.80%`` gives 62.8, ``0.6280`` gives 62.8."""
    found = set()
    for number, percent in _NUMBER.findall(_NOT_PERCENTAGES.sub(" ", text)):
        value = float(number)
        if percent:
            found.add(value)
        elif "." in number and value <= 1:
            found.add(value * 100)
    return found


def _shown(quoted: str, printed: set[float]) -> bool:
    """Whether a quoted percentage (as typed, for example ``"62.8"`` or ``"63"``) rounds from a printed one."""
    decimals = len(quoted.split(".")[1]) if "." in quoted else 0
    return any(abs(round(value, decimals) - float(quoted)) < 10 ** -(decimals + 3) for value in printed)


def _sentences(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of a paragraph (a full stop, ! or ? followed by a space ends one; 。！？ too)."""
    bounds = [0] + [m.end() for m in re.finditer(r"[.!?]\)?\s+(?=[A-Z(*_`\-|])|[。！？]）?|\n\s*[-*|] ", paragraph)] + [len(paragraph)]
    return list(zip(bounds, bounds[1:]))


def _marked(text: str) -> bool:
    return any(word in text.lower() for word in REFERENCE_WORDS)


def unbacked_percentages(notebook) -> list[str]:
    """``"cell N: ... in: line"`` for each markdown line quoting a percentage the notebook neither printed nor marked.

    A percentage is marked when its line, or the sentence it belongs to (sentences may wrap over
    lines), holds one of ``REFERENCE_WORDS``.
    """
    printed = printed_percentages(_output_text(notebook))
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        source = _CODE_SPAN.sub(lambda m: " " * len(m.group()), cell.source)  # same offsets, code blanked
        offset = 0
        for paragraph in re.split(r"(\n\s*\n)", source):
            sentences = _sentences(paragraph)
            missing_by_line: dict[int, list[str]] = {}
            for match in _PERCENT.finditer(paragraph):
                line_start = paragraph.rfind("\n", 0, match.start()) + 1
                line_end = paragraph.find("\n", match.end())
                line = paragraph[line_start: line_end if line_end >= 0 else None]
                sentence = next(paragraph[a:b] for a, b in sentences if a <= match.start() < b)
                # Chinese prose often keeps a whole paragraph on one line: there, only the sentence marks a figure
                if _marked(sentence) or (_marked(line) and not _CJK.search(line)):
                    continue
                missing = [q + "%" for q in match.groups() if q and not _shown(q, printed)]
                if missing:
                    missing_by_line.setdefault(offset + line_start, []).extend(missing)
            for start, missing in missing_by_line.items():
                line = cell.source[start:].split("\n", 1)[0]
                problems.append(f"cell {index}: {', '.join(missing)} in: {line.strip()[:160]}")
            offset += len(paragraph)
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO / "notebooks")))
def test_percentages_in_prose_are_printed_or_marked_as_references(path):
    problems = unbacked_percentages(nbformat.read(path, as_version=4))
    assert not problems, (
        f"{path.name}: print these figures from the run (and drop them from the prose), or mark the line as a "
        f"reference figure ({', '.join(REFERENCE_WORDS)}):\n  " + "\n  ".join(problems)
    )


# --------------------------------------------------------------------------- the checker itself


def _demo(markdown: str, printed: str = "modern recipe + TTA  : 62.80%\nResult: test accuracy = 0.6280\nsplit 0.1"):
    cell = new_code_cell("print(...)", outputs=[new_output("stream", name="stdout", text=printed)])
    return new_notebook(cells=[new_markdown_cell(markdown), cell])


def test_a_figure_the_notebook_printed_passes_at_the_precision_of_the_prose():
    assert unbacked_percentages(_demo("The modern recipe reaches 62.8% (about 63%).")) == []
    assert unbacked_percentages(_demo("We hold back 10% of the images.")) == [], "0.1 printed is 10%"


def test_a_hand_typed_figure_that_the_outputs_do_not_show_fails():
    problems = unbacked_percentages(_demo("Intro.\nThe modern recipe reaches 64.1%, the classic 49.6%."))
    assert problems == ["cell 0: 64.1%, 49.6% in: The modern recipe reaches 64.1%, the classic 49.6%."]
    assert unbacked_percentages(_demo("It stalls around 70–75%.")) == ["cell 0: 70%, 75% in: It stalls around 70–75%."]
    assert len(unbacked_percentages(_demo("about 94 percent"))) == 1


def test_reference_words_and_inline_code_exempt_a_line():
    assert unbacked_percentages(_demo("Page's ResNet-9 reached 94% in the published run.")) == []
    assert unbacked_percentages(_demo("The full profile's target is 99.3%.")) == []
    assert unbacked_percentages(_demo("Write `format(x, '.1%')` or `RandomZoom(0.2)` for 20% zoom.")) == [
        "cell 0: 20% in: Write `format(x, '.1%')` or `RandomZoom(0.2)` for 20% zoom."
    ]


def test_losses_in_training_logs_do_not_count_as_percentages():
    log = "141/141 - 0s - accuracy: 0.9079 - loss: 0.3317 - val_accuracy: 0.9250 - val_loss: 0.2655 - learning_rate: 0.0010"
    assert unbacked_percentages(_demo("Validation accuracy reached 92.5%.", printed=log)) == []
    assert len(unbacked_percentages(_demo("A loss of 33% is ...", printed=log))) == 1
    assert len(unbacked_percentages(_demo("It fell to 27%.", printed=log))) == 1


def test_a_reference_word_anywhere_in_the_sentence_marks_it_even_across_wrapped_lines():
    text = "Published ImageNet accuracies\n(Keras documentation): VGG16 71%, ResNet50 75%.\nOurs is 12%."
    assert unbacked_percentages(_demo(text)) == ["cell 0: 12% in: Ours is 12%."]
    assert len(unbacked_percentages(_demo("The paper says so.\nHere, though, we get 40%."))) == 1


def test_outputs_of_code_are_read_not_its_source():
    notebook = _demo("It reaches 77.7%.", printed="nothing here")
    notebook.cells[1].source = "print('77.7%')"
    assert len(unbacked_percentages(notebook)) == 1


def test_chinese_prose_follows_the_same_rule():
    assert unbacked_percentages(_demo("现代方法的准确率为62.8%（约63%）。")) == []
    assert unbacked_percentages(_demo("现代方法达到64.1%。")) == ["cell 0: 64.1% in: 现代方法达到64.1%。"]
    line = "Page 的 ResNet-9 在论文中达到 94%。而我们只有 12%。"
    assert unbacked_percentages(_demo(line)) == [f"cell 0: 12% in: {line}"], "on a Chinese line, only the sentence marks a figure"
