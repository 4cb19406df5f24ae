"""Fetching dataset archives into the Keras cache: mirror first, then origin, always checked.

The flow for one archive:

1. If ``$KERAS_HOME/datasets/<cache name>`` exists and its checksum is right, use it.
2. Otherwise try each source in turn: every mirror in ``COURSE_DATA_MIRROR`` (a folder or an
   ``http(s)://`` base URL; several may be given, separated by ``;``), then the public origins.
   Each download goes through :func:`keras.utils.get_file` (with its progress bar) into a
   ``.part`` file that is only moved into place once its checksum matches, so a download that
   died half-way is never used. A checksum mismatch is fetched once more, then reported with
   what came instead (HTTP status, size, content type: an HTML page is not an archive). A mirror
   that does not answer within :data:`MIRROR_TIMEOUT_S` seconds is dropped, and not asked again
   for :data:`UNANSWERED_MEMORY_S` seconds (``get_file`` has no timeout of its own: the course
   sets the socket's).
3. Unpack with ``get_file(..., extract=True)`` into the Keras 3 ``*_extracted`` layout, once: a
   marker file remembers which archive was unpacked, so later calls return at once.

Introduced in ``00_setup.ipynb``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from filelock import FileLock

from helpers.data.fetch_file import (
    MIRROR_TIMEOUT_S,
    ORIGIN_TIMEOUT_S,
    _remember_unanswered,
    _timed_out,
    download_file,
    error_reason,
    looks_wrong,
    recently_unanswered,
)
from helpers.data.paths import (
    MIRROR_ENV,
    cache_dir,
    cached_path,
    datasets_dir,
    lock_file,
    move_without_overwriting,
    parsed_mirrors,
    pretty_path,
)
from helpers.data.registry import Archive, DatasetInfo, count_image_names, get_dataset
from helpers.errors import ChecksumError, DatasetUnavailableError, SettingError
from helpers.files import temporary_beside
from helpers.language import _

_MARKER = ".course-extracted"
_hash_memo: dict[tuple[str, int, int], str] = {}



# --------------------------------------------------------------------------- checking files
def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file (memoised per path, size and modification time)."""
    stat = path.stat()
    key = (f"{os.path.realpath(path)}:{algorithm}", stat.st_size, stat.st_mtime_ns)
    if key not in _hash_memo:
        hasher = hashlib.new(algorithm)
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(chunk)
        _hash_memo[key] = hasher.hexdigest()
    return _hash_memo[key]


def _count_images(path: Path) -> int:
    """Number of image files inside a zip or tar archive (0 if it cannot be read)."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as archive:
                names = archive.getnames()
        else:
            return 0
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError):
        return 0
    return count_image_names(names)


def is_valid(path: Path, archive: Archive) -> bool:
    """True when ``path`` is this archive: a known digest, or (see ``content_check``) its image count.

    A file whose publisher states no digest (``hashes`` empty) is accepted at its exact ``size``.
    """
    if not path.is_file():
        return False
    if not archive.hashes:  # no digest published (MobileNetV2's weight files): the exact size must match
        return archive.size is not None and path.stat().st_size == archive.size
    for expected in archive.hashes:
        algorithm = "sha256" if len(expected) == 64 else "md5"
        if file_digest(path, algorithm) == expected.lower():
            return True
    return archive.content_check and _count_images(path) == archive.images


# --------------------------------------------------------------------------- sources
def mirror_candidates(info: DatasetInfo, archive: Archive) -> tuple[list[str], list[str]]:
    """URLs to try in the mirrors, and notes on mirrors that cannot have the file."""
    urls, notes = [], []
    for mirror in parsed_mirrors():
        if mirror.url is not None:
            urls.append(f"{mirror.url}/{info.name}/{archive.filename}")
            continue
        folder = mirror.folder
        if not folder.is_dir():
            notes.append(_("mirror folder {folder} does not exist").format(folder=pretty_path(folder)))
            continue
        options = [
            folder / info.name / archive.filename,
            folder / archive.filename,
            folder / archive.cache_subdir / archive.cache_name,
            folder / archive.cache_name,
        ]
        found = [option for option in dict.fromkeys(options) if option.is_file()]
        if found:
            urls.extend(option.resolve().as_uri() for option in found)
        else:
            notes.append(_("mirror folder {folder} has no {dataset}/{filename}").format(
                folder=pretty_path(folder), dataset=info.name, filename=archive.filename))
    return urls, notes


def _describe(url: str) -> str:
    if url.startswith("file://"):
        return pretty_path(urllib.request.url2pathname(url[7:]))
    return url


def fetch_archive(info: DatasetInfo, archive: Archive, verbose: bool = True) -> Path:
    """Make sure ``archive`` is in the Keras cache with the right checksum; return its path.

    Raises:
        DatasetUnavailableError: when no mirror or origin could provide the file.
        ChecksumError: when every copy found had the wrong checksum (after one re-fetch).
    """
    target = cached_path(archive)
    if is_valid(target, archive):  # the target is only ever written by os.replace: never half a file
        return target
    with FileLock(lock_file(target)):  # another process may be fetching it right now: wait, then use its copy
        return _fetch_locked(info, archive, target, verbose)


def _fetch_locked(info: DatasetInfo, archive: Archive, target: Path, verbose: bool) -> Path:
    """:func:`fetch_archive`'s work, with the target's lock held."""
    if is_valid(target, archive):
        return target
    if target.exists() or target.is_symlink():
        other = [a for a in (info.full, info.mini) if a is not None and a is not archive]
        if not any(is_valid(target, a) for a in other):
            aside = move_without_overwriting(target)
            print(_("{target} was incomplete or damaged; moved it to {aside} and fetching it again.").format(
                target=pretty_path(target), aside=aside.name))

    urls, notes = mirror_candidates(info, archive)
    mirror_urls = set(urls)
    urls += list(archive.origins)
    staging = temporary_beside(target)  # a name no other process uses
    tried: list[str] = list(notes)
    mismatches, wrong = 0, 0
    for url in urls:
        skipped = recently_unanswered(url)
        if skipped:
            tried.append(_("{source} (skipped: {reason} a moment ago)").format(source=_describe(url), reason=skipped))
            continue
        timeout = MIRROR_TIMEOUT_S if url in mirror_urls else ORIGIN_TIMEOUT_S
        for attempt in (1, 2):
            if verbose:
                print(_("Fetching {filename} from {source}").format(filename=archive.filename, source=_describe(url)))
            try:
                answer = download_file(url, staging, timeout=timeout)
            except (Exception, KeyboardInterrupt) as exc:  # reported in one line below
                staging.unlink(missing_ok=True)
                if isinstance(exc, KeyboardInterrupt):
                    raise
                if isinstance(exc, TimeoutError):
                    _remember_unanswered(url, str(exc))
                    if verbose:
                        print(_("{source} gave {error}: dropped it.").format(source=_describe(url), error=str(exc)))
                tried.append(_("{source} ({reason})").format(source=_describe(url), reason=error_reason(exc)))
                break
            if is_valid(staging, archive):
                os.replace(staging, target)
                return target
            what = answer.describe(staging, archive)
            plainly_wrong = looks_wrong(staging, archive)
            staging.unlink(missing_ok=True)
            mismatches += 1
            wrong += plainly_wrong
            if plainly_wrong:  # an HTML page or a cut-short file will not be right the second time either
                tried.append(_("{source} (got {what}: not the archive)").format(source=_describe(url), what=what))
                mismatches += 1
                break
            if attempt == 2:
                tried.append(_("{source} (got {what}; checksum mismatch, fetched twice)").format(source=_describe(url), what=what))
            else:
                tried.append(_("{source} (got {what}; checksum mismatch)").format(source=_describe(url), what=what))
    where = "; ".join(tried) if tried else _("no mirror is set and this archive has no public origin")
    if mismatches and mismatches == 2 * len(urls):
        verdict = (_("the source serves something else than the archive (a wrong address, a login or error page, "
                     "or a file cut short)")
                   if wrong else _("the source may hold a different version"))
        raise ChecksumError(
            _("{filename} for dataset '{dataset}' was fetched but its checksum never matched "
              "({where}); {verdict}: place a good copy at {target}.").format(
                filename=archive.filename, dataset=info.name, where=where, verdict=verdict, target=pretty_path(target))
        )
    raise DatasetUnavailableError(
        _("Could not get {filename} for dataset '{dataset}' (tried: {where}). "
          "Connect to the internet, set {mirror_setting} to a folder or URL that has it, "
          "or place the file at {target}.").format(
            filename=archive.filename, dataset=info.name, where=where, mirror_setting=MIRROR_ENV,
            target=pretty_path(target))
    )


def _set_aside(info: DatasetInfo, root: Path) -> None:
    """Move the folders that are not classes (``info.exclude``) next to the data root, with a note."""
    for name in info.exclude:
        if (root / name).is_dir():
            target = move_without_overwriting(root / name, root.parent / "not-classes" / name)
            print(_("{name} is not a class: moved it to {target}.").format(name=name, target=pretty_path(target)))


def extract_archive(info: DatasetInfo, archive: Archive, path: Path) -> Path:
    """Unpack ``path`` with ``get_file(..., extract=True)`` (once) and return the data root."""
    if not archive.extract:
        return path
    folder = datasets_dir() / archive.extracted_name
    with FileLock(lock_file(folder)):  # two processes never unpack into the same folder at once
        return _extract_locked(info, archive, path, folder)


def _extract_locked(info: DatasetInfo, archive: Archive, path: Path, folder: Path) -> Path:
    """:func:`extract_archive`'s work, with the folder's lock held."""
    import keras

    marker = folder / _MARKER
    stamp = file_digest(path)
    if not (marker.is_file() and marker.read_text() == stamp):
        if folder.exists():
            shutil.rmtree(folder)
        returned = keras.utils.get_file(
            fname=archive.keras_fname,
            origin=path.resolve().as_uri(),
            cache_dir=str(cache_dir()),
            extract=True,
        )
        folder = Path(returned)
        if archive.inner_archive:
            inner = folder / archive.inner_archive
            with tarfile.open(inner) as tar:
                tar.extractall(inner.parent, filter="data")
        _set_aside(info, folder / archive.root)
        marker.write_text(stamp)
    root = folder / archive.root
    if not root.exists():
        raise DatasetUnavailableError(
            _("{archive} unpacked, but {root} is not inside; delete {archive} and {folder} and run this again.").format(
                archive=pretty_path(path), root=archive.root or _("its data"), folder=pretty_path(folder))
        )
    return root


# --------------------------------------------------------------------------- public entry points
def mini_reachable(info: DatasetInfo) -> bool:
    """True when the mini archive is in the cache or in a mirror folder/URL."""
    if info.mini is None:
        return False
    if is_valid(datasets_dir() / info.mini.cache_name, info.mini):
        return True
    urls, _notes = mirror_candidates(info, info.mini)
    for url in urls:
        if url.startswith("file://"):
            return True
        if recently_unanswered(url):
            continue
        try:
            request = urllib.request.Request(url, method="HEAD")
            with urllib.request.urlopen(request, timeout=min(5.0, MIRROR_TIMEOUT_S)):
                return True
        except (OSError, ValueError) as error:
            if _timed_out(error):
                _remember_unanswered(url, _("no answer within {seconds:g} s").format(seconds=min(5.0, MIRROR_TIMEOUT_S)))
            continue
    return False


def run_profile(profile: str | None = None) -> str:
    """``profile`` (``"quick"`` or ``"full"``) checked, or, for ``None``, the run's (:func:`helpers.profile.current_profile`).

    The data layer's one read of the run profile: a caller that knows the profile passes it down
    (``fetch(..., profile="quick")``); the default keeps what the notebooks get.
    """
    from helpers.profile import PROFILES, current_profile

    if profile is None:
        return current_profile()[0]
    if profile not in PROFILES:
        raise SettingError(_("profile must be one of {profiles} or None (the run's own), not {profile!r}.").format(
            profiles=", ".join(repr(p) for p in PROFILES), profile=profile))
    return profile


def choose_variant(name: str, variant: str = "auto", *, profile: str | None = None) -> str:
    """Pick ``"full"`` or ``"mini"``: the quick profile takes the mini archive when reachable.

    Args:
        name: a dataset of the registry.
        variant: ``"full"`` or ``"mini"`` (returned as they are), or ``"auto"``.
        profile: the profile ``"auto"`` decides by (default: the run's, see :func:`run_profile`).
    """
    info = get_dataset(name)
    if variant in ("full", "mini"):
        info.archive(variant)  # raises for a dataset without a mini archive
        return variant
    if variant != "auto":
        raise SettingError(_("variant must be 'auto', 'full' or 'mini', not {variant!r}.").format(variant=variant))
    if run_profile(profile) == "quick" and mini_reachable(info):
        return "mini"
    return "full"


def fetch(name: str, variant: str = "auto", verbose: bool = True, *, profile: str | None = None) -> Path:
    """Get a dataset into the Keras cache and return where its data is.

    Args:
        name: a key of :data:`helpers.data.registry.DATASETS` (``"mnist"``, ``"cats_and_dogs"``, ...).
        variant: ``"full"``, ``"mini"`` or ``"auto"`` (mini in the quick profile when reachable).
        verbose: print where the data came from and where it is.
        profile: the profile ``"auto"`` decides by (default: the run's, see :func:`run_profile`).

    Returns:
        The data root: the folder of class sub-folders or batch files, or the file itself
        for single-file datasets such as MNIST.
    """
    info = get_dataset(name)
    variant = choose_variant(name, variant, profile=profile)
    archive = info.archive(variant)
    path = fetch_archive(info, archive, verbose=verbose)
    root = extract_archive(info, archive, path)
    if verbose:
        print(_("{name}: {variant} archive ({images:,} images) ready at {root}").format(
            name=name, variant=variant, images=archive.images, root=pretty_path(root)))
    return root
