"""What a classroom mirror holds: the files each profile packs (:func:`plan`), its index and its check.

:func:`plan` lists the files of a profile (:data:`PROFILES`), each a :class:`PackItem`; what became
of each is a :class:`PackResult`. ``index.json`` lists every file of the pack (name, variant, file,
bytes, sha256, how the registry recognises it, what it is, which notebooks use it, where it came
from) and every file that could not be had, with the reason; ``index.html`` shows the same table
at the mirror's address in a browser. :func:`verify` checks a packed folder against both ``index.json`` and the registry, changing nothing.

Used by :func:`helpers.course.pack.pack` (``python -m helpers.course pack``), which re-exports these names.
"""

from __future__ import annotations

import datetime
import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from helpers.data.download import file_digest, is_valid
from helpers.data.registry import DATASETS, Archive, DatasetInfo
from helpers.data.weights import IMAGENET_WEIGHTS
from helpers.errors import PackError
from helpers.files import write_atomically, write_json_atomically

#: Written into both index files, so that a later run knows it may replace them.
GENERATOR = "helpers.course pack"
#: What earlier versions wrote there (``python -m helpers.data pack``): their index files are replaced too.
EARLIER_GENERATORS = ("helpers.data pack",)

#: The folder of a mirror that holds weight files (``helpers.data.weights`` asks mirrors for ``models/<file>``).
WEIGHTS_FOLDER = "models"
#: The light ImageNet bases (2-3 MB each) that the quick profile trains on a CPU: notebook 06 and the
#: pretrained default of ``train_from_folder`` / ``python -m helpers.train``. The same as
#: ``helpers.transfer.LIGHT_BASES`` (repeated here, and checked by a test, because importing that module imports Keras).
LIGHT_BASES = ("MobileNetV2-0.35", "MobileNetV2-0.5", "MobileNet-0.25")

#: What each ``--profile`` packs: ``required`` parts make the command fail when missing;
#: ``optional`` parts are listed as missing with the reason. ImageNet weights are always optional:
#: without them ``train_from_folder`` trains the course CNN from scratch, and says so.
PROFILES: dict[str, dict[str, tuple[str, ...]]] = {
    "quick": {"required": ("quick",), "optional": ("light weights",)},
    "workshop": {"required": ("quick",), "optional": ("full", "light weights")},
    "full": {"required": ("full",), "optional": ("all weights",)},
    "all": {"required": ("quick", "full"), "optional": ("all weights",)},
}
DEFAULT_PROFILE = "workshop"

#: Which notebooks read each dataset (and ``models``: the weight files), for when the notebooks
#: folder is not beside the package (an installed copy); otherwise they are read from the notebooks.
NOTEBOOKS_FALLBACK = {
    "mnist": ["00_setup", "01_keras_fundamentals", "02_mnist_cnn", "07_ensembles"],
    "cifar10": ["03_cifar10_cnn", "07_ensembles"],
    "cats_and_dogs": ["04_cats_vs_dogs_augmentation", "06_transfer_learning"],
    "flower_photos": ["05_flowers_train_from_folder"],
    "caltech101": ["05_flowers_train_from_folder"],
    WEIGHTS_FOLDER: ["04_cats_vs_dogs_augmentation", "05_flowers_train_from_folder", "06_transfer_learning"],
}
NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
_USES = (
    (re.compile(r"""fetch\(\s*["'](\w+)["']"""), None),
    (re.compile(r"load_mnist\("), "mnist"),
    (re.compile(r"load_cifar10\("), "cifar10"),
    (re.compile(r"transfer_comparison\.(available_weights|compare_bases)\("), WEIGHTS_FOLDER),
    # the pretrained bases: built in plain Keras or by the course, and the one-call trainers' default
    (re.compile(r"keras\.applications\.|build_transfer_classifier\(|fetch_weights\(|train_from_(folder|csv)\(|-m helpers\.train\b"),
     WEIGHTS_FOLDER),
)


@dataclass
class PackItem:
    """One file to pack: a dataset archive (``full`` or ``mini``) or a base's ImageNet weight file."""

    name: str
    variant: str
    info: DatasetInfo
    archive: Archive
    required: bool
    what: str
    notebooks: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.variant})"

    @property
    def relative(self) -> str:
        """Where the file goes in the mirror: ``<dataset>/<file>`` or ``models/<file>``."""
        return f"{self.info.name}/{self.archive.filename}"


@dataclass
class PackResult:
    """What happened to one :class:`PackItem`."""

    item: PackItem
    status: str  # "ok" or "missing"
    source: str = ""
    reason: str = ""
    sha256: str = ""
    bytes: int = 0
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """One entry of ``index.json``."""
        archive = self.item.archive
        return {
            "name": self.item.name, "variant": self.item.variant, "file": self.item.relative,
            "status": self.status, "required": self.item.required,
            "bytes": self.bytes or archive.size, "sha256": self.sha256, "checked_by": check_kind(archive),
            "registry_digests": list(archive.hashes), "images": archive.images or None,
            "what": self.item.what, "notebooks": self.item.notebooks, "source": self.source, "reason": self.reason,
        }


# --------------------------------------------------------------------------- what to pack
def notebooks_using(notebooks_dir: Path = NOTEBOOKS_DIR) -> dict[str, list[str]]:
    """``{dataset name or "models": [notebook names]}``, read from the notebooks' code when they are there."""
    paths = sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb")) if notebooks_dir.is_dir() else []
    if not paths:
        return {key: list(value) for key, value in NOTEBOOKS_FALLBACK.items()}
    found: dict[str, list[str]] = {}
    for path in paths:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        code = "\n".join("".join(cell["source"]) for cell in cells if cell.get("cell_type") == "code")
        for pattern, name in _USES:
            for match in pattern.finditer(code):
                key = name or match.group(1)
                if path.stem not in found.setdefault(key, []):
                    found[key].append(path.stem)
    return found


def check_kind(archive: Archive) -> str:
    """How a copy of ``archive`` is recognised: its sha256 or md5, its image count, or its exact size."""
    if not archive.hashes:
        return "exact size (no digest is published)"
    kind = "sha256" if len(archive.hashes[0]) == 64 else "md5"
    return kind + (" or image count" if archive.content_check else "")


def _weights_item(base: str, uses: dict[str, list[str]]) -> PackItem:
    archive = IMAGENET_WEIGHTS[base]
    info = DatasetInfo(name=WEIGHTS_FOLDER, title=f"ImageNet weights of {base}", full=archive, mini=None)
    what = f"ImageNet weights of the {base} base without its classifier (keras.applications, include_top=False)"
    return PackItem(base, "imagenet", info, archive, False, what, uses.get(WEIGHTS_FOLDER, []))


def plan(profile: str = DEFAULT_PROFILE, only: list[str] | None = None) -> list[PackItem]:
    """The files a profile packs, in registry order, each marked required or optional.

    Args:
        profile: a key of :data:`PROFILES`.
        only: keep only these datasets and bases (names as in the registry and ``IMAGENET_WEIGHTS``).
    """
    if profile not in PROFILES:
        raise PackError(f"There is no pack profile {profile!r}; choose one of: {', '.join(PROFILES)}.")
    known = [*DATASETS, *IMAGENET_WEIGHTS]
    unknown = [name for name in only or [] if name not in known]
    if unknown:
        raise PackError(f"The course knows no dataset or base called {unknown[0]!r}; it knows: {', '.join(known)}.")
    parts = {part: kind == "required" for kind in ("optional", "required") for part in PROFILES[profile][kind]}
    uses = notebooks_using()
    items: list[PackItem] = []
    for info in DATASETS.values():
        wanted = {}  # variant -> required
        if "quick" in parts:
            wanted["mini" if info.mini else "full"] = parts["quick"]
        if "full" in parts:
            wanted["full"] = wanted.get("full", False) or parts["full"]
        for variant in ("mini", "full"):
            if variant in wanted:
                archive = info.archive(variant)
                subset = info.notes.removeprefix("mini: ")
                what = info.title + (f"; mini archive for the quick profile: {subset}" if variant == "mini" else "")
                items.append(PackItem(info.name, variant, info, archive, wanted[variant], what, uses.get(info.name, [])))
    bases = IMAGENET_WEIGHTS if "all weights" in parts else LIGHT_BASES if "light weights" in parts else ()
    items += [_weights_item(base, uses) for base in bases]
    return [item for item in items if not only or item.name in only]


# --------------------------------------------------------------------------- the index
def write_index(directory: Path, results: list[PackResult], profile: str) -> None:
    """Write ``index.json`` (for tools) and ``index.html`` (what a browser shows at the mirror's address)."""
    from helpers import __version__

    created = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    index = {
        "generator": GENERATOR, "helpers_version": __version__, "created": created, "profile": profile,
        "layout": "<dataset>/<archive file> and models/<weight file>: use this folder, or its HTTP address, "
                  "as COURSE_DATA_MIRROR",
        "items": [result.to_json() for result in results],
    }
    write_json_atomically(directory / "index.json", index, indent=1)
    rows = []
    for entry in index["items"]:
        name = html.escape(entry["file"])
        link = f'<a href="{name}">{name}</a>' if entry["status"] == "ok" else name
        status = "ok" if entry["status"] == "ok" else f"missing{'' if entry['required'] else ' (optional)'}: " + entry["reason"]
        size = f"{entry['bytes'] / 1e6:,.1f} MB" if entry["bytes"] else "?"
        rows.append(
            f"<tr><td>{html.escape(entry['name'])} ({entry['variant']})</td><td>{link}</td><td>{size}</td>"
            f"<td><code>{entry['sha256'] or '-'}</code></td><td>{html.escape(entry['what'])}</td>"
            f"<td>{html.escape(', '.join(entry['notebooks']))}</td><td>{html.escape(status)}</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="generator" content="{GENERATOR}">
<title>Course data mirror</title>
<style>body{{font-family:sans-serif}} td,th{{border-bottom:1px solid #ccc;padding:4px;text-align:left;vertical-align:top}}
code{{font-size:75%}}</style></head><body>
<h1>Image classification with Keras: course data mirror</h1>
<p>Profile <b>{profile}</b>, packed {created} by <code>python -m helpers.course pack</code> (helpers {__version__}).</p>
<p>Use it: <code>export COURSE_DATA_MIRROR=http://&lt;this address&gt;</code> (the address in your browser's
bar, without a path), then run the notebooks; every file is checked again when it is fetched.</p>
<table><tr><th>item</th><th>file</th><th>size</th><th>sha256</th><th>what it is</th><th>notebooks</th><th>status</th></tr>
{chr(10).join(rows)}
</table></body></html>
"""
    write_atomically(directory / "index.html", page)


def verify(directory: os.PathLike | str) -> list[str]:
    """Check a packed folder against its ``index.json`` and the registry, changing nothing; return the problems."""
    folder = Path(directory)
    index_file = folder / "index.json"
    if not index_file.is_file():
        from helpers.data.paths import shell_path

        raise PackError(f"{folder} has no index.json; pack it first with: python -m helpers.course pack {shell_path(folder, pretty=False)}")
    by_file = {item.relative: item for item in plan("all")}
    problems = []
    for entry in json.loads(index_file.read_text(encoding="utf-8"))["items"]:
        if entry["status"] != "ok":
            continue
        path, item = folder / entry["file"], by_file.get(entry["file"])
        if not path.is_file():
            problems.append(f"{entry['file']} is listed in index.json but is not in the folder.")
        elif (item and not is_valid(path, item.archive)) or file_digest(path) != entry["sha256"]:
            problems.append(f"{entry['file']} is damaged: its checksum does not match; run pack again to replace it.")
    return problems
