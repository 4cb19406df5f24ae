"""The course's own messages in Chinese under COURSE_LANGUAGE=zh_CN, in English by default, with the same values in both."""

from __future__ import annotations

import re

import keras
import pytest
from PIL import Image

from helpers import language, profile
from helpers.data import download
from helpers.data.checks.layout import as_folder
from helpers.data.checks.scan import scan_folder
from helpers.data.registry import Archive, DatasetInfo
from helpers.errors import DatasetUnavailableError, FolderError, SettingError
from helpers.exercises.base import Exercise, ____, correct, wrong
from helpers.language import N_

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv(language.LANGUAGE_ENV, "zh_CN")


@pytest.fixture
def english(monkeypatch):
    monkeypatch.delenv(language.LANGUAGE_ENV, raising=False)


@pytest.fixture
def cpu_only(monkeypatch):
    """No GPU for the banner (as in test_profile), and the global dtype policy put back afterwards."""
    monkeypatch.setattr(profile, "gpu_details", lambda: [])
    monkeypatch.setattr(profile, "gpu_names", lambda: [])
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    monkeypatch.delenv(profile.SPEEDUPS_ENV, raising=False)
    before = keras.mixed_precision.global_policy()
    yield
    keras.mixed_precision.set_global_policy(before)


def _banner(monkeypatch, capsys, code: str | None) -> str:
    if code is None:
        monkeypatch.delenv(language.LANGUAGE_ENV, raising=False)
    else:
        monkeypatch.setenv(language.LANGUAGE_ENV, code)
    profile.show_profile(epochs=(3, 15), train_images=(10_000, None))
    return capsys.readouterr().out


def test_the_banner_has_chinese_labels_and_the_same_values(cpu_only, monkeypatch, capsys):
    english_out = _banner(monkeypatch, capsys, None)
    chinese_out = _banner(monkeypatch, capsys, "zh_CN")
    assert english_out.startswith("Profile : quick (set by COURSE_PROFILE)")
    assert chinese_out.startswith("运行配置：quick（由 COURSE_PROFILE 指定）")
    for label in ("硬件", "版本", "加速", "混合精度关闭", "运行配置在本节中改变的设置："):
        assert label in chinese_out
    assert not any(word in chinese_out for word in ("Profile :", "Hardware:", "Versions:", "Speed-ups:", "What the profile"))
    # the values are the same: every number, version and setting name, and the table's rows
    numbers = re.compile(r"\d+(?:[.,]\d+)*")
    assert sorted(numbers.findall(english_out)) == sorted(numbers.findall(chinese_out))
    for value in (keras.__version__, "TensorFlow", "Python", "XLA", "float16"):
        assert value in english_out and value in chinese_out
    rows = {line.split()[0]: line.split()[1:] for line in chinese_out.splitlines() if line.startswith("  ")}
    assert rows["epochs"] == ["quick=3", "full=15", "->", "采用", "3"]
    assert rows["train_images"] == ["quick=10,000", "full=all", "->", "采用", "10,000"]
    assert len(english_out.splitlines()) == len(chinese_out.splitlines())


def _exercise() -> Exercise:
    return Exercise(
        "ex9",
        N_("a whole number"),
        lambda answer: correct(f"{answer} is right.") if int(answer) == 3 else wrong(f"{answer} is not it."),
        hint=N_("Count the layers."),
        solution=N_("\nanswer = 3  # three layers\n"),
        answer=3,
    )


def test_exercise_feedback_and_hint_follow_the_language(monkeypatch, capsys):
    # a notebook's own messages live in its catalogue: stand in for one here, as a translator would fill it
    table = language.translations("zh_CN")
    for english_text, chinese_text in {"a whole number": "一个整数", "Count the layers.": "数一数层数。",
                                       "\nanswer = 3  # three layers\n": "\nanswer = 3  # 三层\n"}.items():
        monkeypatch.setitem(table, english_text, chinese_text)
    exercise = _exercise()

    monkeypatch.delenv(language.LANGUAGE_ENV, raising=False)
    exercise.check(____)
    exercise.check(2)
    exercise.check(3)
    exercise.hint()
    assert exercise.solution() == 3
    assert capsys.readouterr().out.splitlines() == [
        "ex9: not answered yet: replace ____ with a whole number.",
        "ex9 ✗ Not yet: 2 is not it.",
        "ex9 ✓ Correct: 3 is right.",
        "ex9 hint: Count the layers.",
        "# ex9, a solution:",
        "answer = 3  # three layers",
    ]

    monkeypatch.setenv(language.LANGUAGE_ENV, "zh_CN")  # the same object, shown in the language in force now
    exercise.check(____)
    exercise.check(2)
    exercise.check(3)
    exercise.hint()
    exercise.solution()
    assert capsys.readouterr().out.splitlines() == [
        "ex9：还没有作答：请把 ____ 换成 一个整数。",
        "ex9 ✗ 还不对：2 is not it.",
        "ex9 ✓ 正确：3 is right.",
        "ex9 提示：数一数层数。",
        "# ex9 的参考答案：",
        "answer = 3  # 三层",
    ]
    found = exercise.feedback("three")
    assert not found.ok and "无法检查这个答案" in found.message and "一个整数" in found.message


def test_a_download_error_is_chinese(chinese, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    (tmp_path / "classroom").mkdir()
    monkeypatch.setenv("COURSE_DATA_MIRROR", f"{tmp_path / 'classroom'};{tmp_path / 'absent'}")
    info = DatasetInfo(name="demo", title="test", full=Archive("gone.zip", "gone.zip", (), ("a" * 64,), 1, 10), mini=None)
    with pytest.raises(DatasetUnavailableError) as error:
        download.fetch_archive(info, info.full, verbose=False)
    message = str(error.value)
    assert message.startswith("无法获取数据集 'demo' 的 gone.zip（已尝试：")
    assert "镜像文件夹" in message and "里没有 demo/gone.zip" in message and "不存在" in message
    assert "COURSE_DATA_MIRROR" in message and "\n" not in message


def test_a_messy_folder_is_described_in_chinese(chinese, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    root = tmp_path / "photos"
    for name in ("cats", "dogs"):
        (root / name).mkdir(parents=True)
        for i in range(2):
            Image.new("RGB", (8, 8), (i * 90, 0, 0)).save(root / name / f"{i}.jpg")
    (root / "cats" / "page.jpg").write_text("<html><body>not found</body></html>")
    (root / "dogs" / "empty.png").write_bytes(b"")
    summary = scan_folder(root).summary()
    assert "2 个类别，4 张图像；跳过了 2 个文件：" in summary
    assert "cats/page.jpg: 不是图像（是一个 HTML 网页，可能是下载失败）" in summary
    assert "dogs/empty.png: 空文件" in summary
    with pytest.raises(FolderError) as error:
        as_folder(tmp_path / "photo", "training ")
    assert str(error.value).startswith("训练文件夹 ") and "（你是不是想写 'photos'？）" in str(error.value)


def test_the_english_default_is_unchanged(english, tmp_path):
    with pytest.raises(FolderError, match=r"^The training folder .* does not exist; check the path\.$"):
        as_folder(tmp_path / "nowhere", "training ")
    assert not CJK.search(language.gettext("✓ Correct: {message}"))


def test_an_unknown_language_is_a_one_sentence_setting_error(monkeypatch):
    monkeypatch.setenv(language.LANGUAGE_ENV, "klingon")
    with pytest.raises(SettingError) as error:
        language.current_language()
    message = str(error.value)
    assert "'klingon'" in message and "zh_CN" in message and "\n" not in message
    with pytest.raises(SettingError):
        language.gettext("✓ Correct: {message}")  # every message says so, not only the first


def test_the_command_lines_end_on_an_unknown_language_with_one_line(monkeypatch, capsys):
    from helpers import predict
    from helpers.train import command

    monkeypatch.setenv(language.LANGUAGE_ENV, "klingon")
    for main, argv in ((predict.main, ["model.keras", "-f", "photo.jpg"]), (command.main, ["photos/"])):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: COURSE_LANGUAGE is set to 'klingon'") and err.count("\n") == 1


def test_every_course_message_translation_keeps_the_placeholders():
    """The same ``{name:spec!conversion}`` fields in the Chinese as in the English, so ``.format`` fills both alike."""
    from string import Formatter

    from babel.messages.pofile import read_po

    def fields(text: str) -> list:
        return sorted((name, spec, conversion) for _text, name, spec, conversion in Formatter().parse(text) if name is not None)

    with open(language.LOCALE_DIR / "zh_CN" / "course.po", "rb") as handle:
        catalogue = read_po(handle)
    finished = [message for message in catalogue if message.id and message.string and not message.fuzzy]
    assert len(finished) > 300
    assert [message.id for message in finished if fields(message.id) != fields(message.string)] == []
