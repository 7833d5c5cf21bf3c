"""Text of an uploaded PDF (pypdf) or DOCX (python-docx), for search and the privacy check.

Bounded: at most MAX_PAGES pages and MAX_CHARS characters, so one large
upload cannot hold a request for minutes. Other kinds have no text here.
"""
from __future__ import annotations

import logging
from pathlib import Path

from .errors import FileRefused

logger = logging.getLogger(__name__)

MAX_PAGES = 400
MAX_CHARS = 1_000_000
MAX_DOCX_XML = 64 * 1024 * 1024    # a larger word/document.xml is stored but not parsed (lxml would hold it all)


def text_of(path: Path, kind: str, name: str) -> str:
    """The extracted text ('' for kinds without text); FileRefused when the file does not open as its kind."""
    if kind == "pdf":
        return _pdf(path, name)
    if kind == "docx":
        return _docx(path, name)
    return ""


def _pdf(path: Path, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    parts, total = [], 0
    try:
        reader = PdfReader(str(path))
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            parts.append(text)
            total += len(text)
            if total >= MAX_CHARS:
                break
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        # The file opened as a PDF (files.check_pdf) but a page does not: keep what was read.
        logger.info("PDF text extraction stopped in %s: %s", name, e)
    return "\n".join(parts)[:MAX_CHARS]


def _docx(path: Path, name: str) -> str:
    import zipfile

    import docx
    with zipfile.ZipFile(path) as zf:        # files.check_zip opened it already
        body = next((i for i in zf.infolist() if i.filename == "word/document.xml"), None)
    if body is not None and body.file_size > MAX_DOCX_XML:
        logger.info("DOCX %s: document.xml of %d bytes not parsed for search", name, body.file_size)
        return ""
    try:
        document = docx.Document(str(path))
    except Exception as e:  # PackageNotFoundError, KeyError, lxml's XMLSyntaxError, zip errors: a forged package
        raise FileRefused(f"Tệp «{name}» không mở được như một văn bản Word (DOCX): tệp hỏng hoặc sai định dạng.") \
            from e
    parts, total = [], 0
    for block in _blocks(document):
        parts.append(block)
        total += len(block)
        if total >= MAX_CHARS:
            break
    return "\n".join(parts)[:MAX_CHARS]


def _blocks(document):
    """Paragraphs, then table cells, of a DOCX."""
    for paragraph in document.paragraphs:
        if paragraph.text:
            yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text:
                    yield cell.text
