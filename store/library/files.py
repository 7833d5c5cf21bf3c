"""Uploaded files: name and size checked, type detected from the content, stored once by SHA-256.

A file is received into ``<data dir>/library/tmp/`` while it is hashed and
counted, checked there (type by content with `filetype`, zip containers for
bombs and encryption, PDFs for encryption), and only then moved to
``<data dir>/library/blobs/<aa>/<sha256>``. Folders are 0700, files 0600. A
refused file leaves nothing behind.
"""
from __future__ import annotations

import hashlib
import os
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import filetype

from .errors import FileRefused

CHUNK = 1024 * 1024
TMP_KEEP_S = 6 * 3600      # an upload is long finished by then: what is left in tmp/ is a crash's
MAX_NAME = 150

# kind -> (MIME type, what staff call it, shown inline in the browser)
KINDS = {
    "pdf": ("application/pdf", "PDF", True),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)", False),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (XLSX)", False),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint (PPTX)",
             False),
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument (ODT)", False),
    "jpg": ("image/jpeg", "ảnh JPEG", True),
    "png": ("image/png", "ảnh PNG", True),
    "gif": ("image/gif", "ảnh GIF", True),
    "webp": ("image/webp", "ảnh WebP", True),
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLD_OFFICE = frozenset({"doc", "xls", "ppt"})    # OLE files: Office 97-2003, and password-protected OOXML
ZIP_KINDS = frozenset({"docx", "xlsx", "pptx", "odt"})
ALLOWED_TEXT = "PDF, DOCX, XLSX, PPTX, ODT hoặc ảnh (JPG, PNG, GIF, WebP)"

# Zip containers: what a real office file never needs (a bomb does).
ZIP_MAX_ENTRIES = 20_000
ZIP_MAX_TOTAL = 512 * 1024 * 1024          # uncompressed bytes of all entries
ZIP_MAX_RATIO = 200                        # uncompressed / compressed of one large entry
ZIP_RATIO_FROM = 8 * 1024 * 1024           # entries smaller than this may compress as they like


@dataclass(frozen=True)
class Received:
    """A checked file waiting in tmp/ to be stored."""

    path: Path
    name: str
    size: int
    sha256: str
    kind: str

    @property
    def mime(self) -> str:
        """The MIME type the file is served with."""
        return KINDS[self.kind][0]


def root(data_dir: Path) -> Path:
    """``<data dir>/library``, created 0700."""
    path = Path(data_dir) / "library"
    for p in (path, path / "tmp", path / "blobs"):
        p.mkdir(mode=0o700, exist_ok=True)
    return path


def blob_path(data_dir: Path, sha256: str) -> Path:
    """Where the file with this hash lives (it may not exist yet)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(data_dir) / "library" / "blobs" / sha256[:2] / sha256


def check_name(raw: str | None) -> str:
    """The file's name as uploaded, refused when it names a folder or is empty or odd."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise FileRefused("Tệp không có tên: hãy chọn lại tệp cần tải lên.")
    # The name is never used as a path (files live by hash), but a name that names folders is refused plainly.
    if "/" in name or "\\" in name or set(name) == {"."}:
        raise FileRefused(f"Tên tệp «{name[:MAX_NAME]}» chứa đường dẫn (/, \\ hoặc ..): hãy đổi tên tệp rồi tải lên "
                          "lại.")
    if any(unicodedata.category(c)[0] == "C" for c in name):
        raise FileRefused("Tên tệp chứa ký tự điều khiển: hãy đổi tên tệp rồi tải lên lại.")
    if len(name) > MAX_NAME:
        raise FileRefused(f"Tên tệp dài quá {MAX_NAME} ký tự: hãy đặt tên ngắn hơn.")
    return name


def receive(stream, name: str, data_dir: Path, max_bytes: int) -> Received:
    """Copy ``stream`` into tmp/ (hashing, at most ``max_bytes``) and check it; FileRefused leaves nothing."""
    tmp_dir = root(data_dir) / "tmp"
    sweep(tmp_dir)
    fd, tmp_name = _mkstemp(tmp_dir)
    tmp = Path(tmp_name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise FileRefused(f"Tệp «{name}» lớn hơn giới hạn {max_bytes // (1024 * 1024)} MB.")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise FileRefused(f"Tệp «{name}» rỗng (0 byte).")
        kind = detect(tmp, name)
        return Received(tmp, name, size, digest.hexdigest(), kind)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sweep(tmp_dir: Path, older_than_s: float = TMP_KEEP_S) -> None:
    """Delete files a crashed upload left in tmp/ (uploads in progress are younger)."""
    cutoff = time.time() - older_than_s
    for leftover in tmp_dir.glob("up-*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:
            continue


def _mkstemp(folder: Path) -> tuple[int, str]:
    import tempfile
    return tempfile.mkstemp(dir=folder, prefix="up-")      # mkstemp creates the file 0600


def detect(path: Path, name: str) -> str:
    """The file's kind from its content (never its name), after the checks that kind needs."""
    guess = filetype.guess(str(path))
    kind = guess.extension if guess is not None else None
    if kind is None and _is_ole(path):
        kind = "doc"        # filetype names only some OLE files; a password-protected DOCX is one too
    if kind in OLD_OFFICE:
        raise FileRefused(f"Tệp «{name}» là tệp Office cũ ({kind.upper()}) hoặc được đặt mật khẩu: hãy mở tệp, bỏ mật "
                          "khẩu nếu có và lưu lại dạng DOCX, XLSX hoặc PPTX (hoặc PDF) rồi tải lên.")
    if kind is None:
        raise FileRefused(f"Không nhận ra loại của tệp «{name}» theo nội dung: chỉ nhận {ALLOWED_TEXT}.")
    if kind not in KINDS:
        raise FileRefused(f"Tệp «{name}» là tệp {kind.upper()} theo nội dung, không phải {ALLOWED_TEXT}.")
    if kind in ZIP_KINDS:
        check_zip(path, name)
    elif kind == "pdf":
        check_pdf(path, name)
    return kind


def _is_ole(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(8) == OLE_MAGIC


def check_zip(path: Path, name: str) -> None:
    """Refuse a zip container that is damaged, encrypted or expands far beyond its size (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise FileRefused(f"Tệp «{name}» bị hỏng (không đọc được nội dung nén).") from e
    bomb = FileRefused(f"Tệp «{name}» giải nén ra quá lớn so với kích thước tệp (nghi là “bom zip”): không nhận.")
    if len(infos) > ZIP_MAX_ENTRIES or sum(i.file_size for i in infos) > ZIP_MAX_TOTAL:
        raise bomb
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRefused(f"Tệp «{name}» được đặt mật khẩu: hãy lưu lại bản không có mật khẩu rồi tải lên.")
        if info.file_size >= ZIP_RATIO_FROM and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise bomb


def check_pdf(path: Path, name: str) -> None:
    """Refuse a PDF that is encrypted or cannot be parsed."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    try:
        reader = PdfReader(str(path))
        encrypted = reader.is_encrypted
        if not encrypted:
            len(reader.pages)
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as e:
        raise FileRefused(f"Tệp PDF «{name}» bị hỏng, không đọc được.") from e
    if encrypted:
        raise FileRefused(f"Tệp PDF «{name}» được mã hoá hoặc đặt mật khẩu: hãy lưu lại bản không mã hoá rồi tải "
                          "lên.")


def keep(received: Received, data_dir: Path) -> bool:
    """Move the checked file to its place by hash; True when it was new (False: the same content was there)."""
    dest = blob_path(data_dir, received.sha256)
    dest.parent.mkdir(mode=0o700, exist_ok=True)
    if dest.exists():
        received.path.unlink(missing_ok=True)
        return False
    os.chmod(received.path, 0o600)
    os.replace(received.path, dest)
    return True


def discard(received: Received) -> None:
    """Forget a received file that will not be stored."""
    received.path.unlink(missing_ok=True)
