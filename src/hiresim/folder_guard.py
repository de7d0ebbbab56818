"""What hiresim may do to a folder or file: only what it wrote, one writer at a time,
and never trust a saved table that does not match its provenance.

- **Ours**: a result folder is hiresim's when it holds a provenance file: ``run.json``
  (one scenario's run) or ``study.json`` (a compare or sweep; older folders: their
  ``comparison.json`` or ``sweep_summary.json``) naming ``hiresim_version``. ``--force``
  empties only such a folder, never one that holds an input of the run, and never follows
  a symbolic link.
- **One writer**: a writer holds an exclusive OS lock (``flock``) on the folder for as
  long as it writes; the kernel releases it when the process ends, even on SIGKILL, so a
  crash leaves no stale lock (and no lock file). A second writer is refused, naming the
  process that holds the lock.
- **Report targets**: a report is an ``.html`` file; it may replace a regular file only,
  never an input of the run nor a file inside a result folder other than an ``.html``
  file at its top.
- **Verified tables**: ``run.json`` records each final table's row count and SHA-256;
  ``verify_run_folder`` checks them before anything is read back.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

RUN_FILE = "run.json"
STUDY_FILE = "study.json"
STUDY_REPORTS = ("comparison.json", "sweep_summary.json")


class FolderError(Exception):
    """A folder or file that hiresim must not touch, or results that cannot be trusted."""


def _provenance(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_result_folder(folder: Path) -> bool:
    """Whether ``folder`` is a result folder hiresim wrote (run, compare or sweep)."""
    for name in (RUN_FILE, STUDY_FILE):
        data = _provenance(folder / name)
        if data is not None and "hiresim_version" in data:
            return True
    return any((folder / name).is_file() for name in STUDY_REPORTS) and any(
        (child / RUN_FILE).is_file() for child in _subfolders(folder))


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_may_empty(folder: Path, protect: Collection[Path] = ()) -> None:
    """Refuse to empty ``folder`` (``--force``) unless hiresim wrote it and it holds no
    input of the run."""
    if folder.is_symlink():
        raise FolderError(f"{folder}: is a symbolic link; give the folder it points to, or "
                          "another --out")
    for path in protect:
        if _inside(path, folder):
            raise FolderError(f"{folder}: holds {path}, an input of this run; --force would "
                              "delete it. Choose another --out")
    if not is_result_folder(folder):
        raise FolderError(f"{folder}: not a hiresim result folder (no run.json or "
                          "study.json); --force only replaces folders hiresim wrote. Choose "
                          "another --out or empty it yourself")


def check_report_target(target: Path, protect: Collection[Path] = ()) -> None:
    """Refuse a report target that is not a regular ``.html`` file, is an input of the
    run, or lies inside a result folder (other than an ``.html`` file at its top)."""
    if target.exists() or target.is_symlink():
        if target.is_dir():
            raise FolderError(f"{target}: is a folder; give a file name such as report.html")
        if not target.is_file():
            raise FolderError(f"{target}: not a regular file (a device, pipe or socket); "
                              "give a file name such as report.html")
    if target.suffix.lower() not in (".html", ".htm"):
        raise FolderError(f"{target}: a report is an HTML file; give a name ending in .html")
    for path in protect:
        if path.exists() and target.exists() and os.path.samefile(path, target):
            raise FolderError(f"{target}: is an input of this run; give another file name "
                              "for the report")
    parent = target.parent if str(target.parent) else Path(".")
    for folder in (parent.resolve(), *parent.resolve().parents):
        if is_result_folder(folder):
            if target.suffix.lower() == ".html" and folder == parent.resolve():
                return
            raise FolderError(f"{target}: inside the result folder {folder}; give a file "
                              "name outside it (or an .html file at its top)")


# ---------------------------------------------------------------- folder names
MAX_FOLDER_NAME_BYTES = 100  # well under the usual 255-byte limit of a file name


def safe_name(name: str) -> str:
    """A scenario name as a folder name: letters, digits and ``-_.+`` kept, the rest ``_``;
    a name longer than ``MAX_FOLDER_NAME_BYTES`` (UTF-8) is cut and given a short hash."""
    text = "".join(c if c.isalnum() or c in "-_.+" else "_" for c in name).strip(".") or "x"
    raw = text.encode("utf-8")
    if len(raw) <= MAX_FOLDER_NAME_BYTES:
        return text
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    cut = raw[:MAX_FOLDER_NAME_BYTES - 11].decode("utf-8", errors="ignore")
    return f"{cut}-{digest}"


def folder_names(names: Sequence[str]) -> list[str]:
    """One folder name per scenario, unique even where two names sanitise alike
    ('team A' and 'team?A' become 'team_A' and 'team_A-2'; case is ignored)."""
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        base = candidate = safe_name(name)
        k = 2
        while candidate.lower() in used:
            candidate, k = f"{base}-{k}", k + 1
        used.add(candidate.lower())
        out.append(candidate)
    return out


# ---------------------------------------------------------------- one writer at a time
@dataclass
class FolderLock:
    """An exclusive lock on a folder for one writer (see the module docstring).

    The lock is an ``flock`` on the folder itself (a descriptor of the directory), so no
    file is left behind; the holder is found in ``/proc/locks`` for the message.
    """

    folder: Path
    fd: int | None = None

    def acquire(self) -> FolderLock:
        try:
            fd = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as err:
            raise FolderError(f"{self.folder}: cannot lock the folder: {err.strerror}") from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _lock_holder(os.fstat(fd).st_ino)
            os.close(fd)
            raise FolderError(f"{self.folder}: another hiresim run ({holder}) is writing "
                              "this folder; wait for it to finish or use another "
                              "--out") from None
        self.fd = fd
        return self

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)  # closing the descriptor releases the flock


def _lock_holder(inode: int) -> str:
    """'process 1234' holding an flock on ``inode`` (Linux ``/proc/locks``), if known."""
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return "another process"
    for line in lines:
        parts = line.split()
        if len(parts) > 5 and parts[1] == "FLOCK" and parts[5].rsplit(":", 1)[-1] == str(
                inode):
            return f"process {parts[4]}"
    return "another process"


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[FolderLock]:
    lock = FolderLock(folder).acquire()
    try:
        yield lock
    finally:
        lock.release()


def check_not_locked(folder: Path) -> None:
    """Refuse when another process writes ``folder`` (e.g. before ``--force`` empties it)."""
    FolderLock(folder).acquire().release()


# ---------------------------------------------------------------- verified tables
def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_run_folder(folder: Path) -> dict:
    """The provenance of a complete run folder, after checking every recorded table's
    size and checksum; ``FolderError`` with one line naming what is wrong."""
    meta = _provenance(folder / RUN_FILE)
    if meta is None:
        raise FolderError(f"{folder / RUN_FILE}: missing or unreadable; not a complete "
                          "hiresim result folder")
    if meta.get("status") != "complete":
        raise FolderError(f"{folder}: the run is {meta.get('status', 'unfinished')} "
                          f"({meta.get('completed', 0)} of {meta.get('replications')} "
                          "replications); finish it with --resume before reading it")
    for name, entry in (meta.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            raise FolderError(f"{path}: missing from the result folder (damaged; run again)")
        if path.stat().st_size != entry.get("bytes") or file_digest(path) != entry.get(
                "sha256"):
            raise FolderError(f"{path}: changed or damaged since hiresim wrote it (size or "
                              "checksum differs from run.json); run again")
    return meta
