"""Questions from a Word .docx in the common Vietnamese form, read with python-docx.

    I. NHẬN BIẾT                          (a level heading: the level of what follows)
    Chủ đề: Hằng đẳng thức                (the topic of what follows)
    Câu 1. (NB) Kết quả của (x+2)(x−2) là  (a level in brackets overrides the heading)
    A. x² − 4        B. x² + 4            (choices on one line or one per line)
    C. x² − 2        D. 2x − 4
    Đáp án: A  /  Lời giải: ...            (optional)

The key is the choice whose label or text is underlined or bold, or that carries a `*`.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from store.core.text import fold

from .bank import LETTERS, Draft
from .errors import BadQuestion, QuestionError
from .levels import parse_level

_QUESTION = re.compile(r"^\s*C[aâ]u\s*(\d{1,4})\s*[.:)\-]?\s*", re.IGNORECASE)
_CHOICE = re.compile(r"(?:^|(?<=\s))(\*?)([A-F])\s*[.)]\s*(\*?)")
_LEVEL_TAG = re.compile(r"^\s*[(\[]\s*([^()\[\]]{1,20})\s*[)\]]\s*|\s*[(\[]\s*([^()\[\]]{1,20})\s*[)\]]\s*$")
_LABELLED = re.compile(r"^\s*(dap an|loi giai|huong dan giai|huong dan|chu de|muc do)\s*:\s*", re.IGNORECASE)
_HEADING_NUMBER = re.compile(r"^\s*(?:[IVX]+|\d+|phan\s*\d+|muc\s*\d*)\s*[.:)\-]?\s*", re.IGNORECASE)


@dataclass
class _Open:
    number: str
    body: str
    level: str
    topic: str
    choices: list[tuple[str, str, bool]] = field(default_factory=list)   # (letter, text, marked)
    key_line: str = ""
    explanation: str = ""


def _marked_spans(paragraph) -> tuple[str, list[bool]]:
    """The paragraph's text and, per character, whether its run is bold or underlined."""
    text, marks = "", []
    for run in paragraph.runs:
        t = unicodedata.normalize("NFC", run.text)
        flag = bool(run.bold or run.underline or (run.style is not None and run.style.font.bold))
        text += t
        marks += [flag] * len(t)
    if not paragraph.runs:
        text = unicodedata.normalize("NFC", paragraph.text)
        marks = [False] * len(text)
    return text, marks


def _choices(text: str, marks: list[bool]) -> list[tuple[str, str, bool]] | None:
    """`A. x   B. y` -> [(A, x, marked), (B, y, marked)], or None when the line holds no choices."""
    found = list(_CHOICE.finditer(text))
    if not found or found[0].start() != len(text) - len(text.lstrip()):
        return None
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        body = text[m.end():end].strip()
        star = bool(m.group(1) or m.group(3) or body.endswith("*"))
        body = body.rstrip("*").strip()
        label_marked = any(marks[m.start(2):m.start(2) + 1])
        span = [marks[j] for j in range(m.end(), end) if not text[j].isspace()]
        text_marked = bool(span) and sum(span) * 2 > len(span)
        out.append((m.group(2), body, star or label_marked or text_marked))
    return out


def _level_of(body: str) -> tuple[str, str]:
    """A level tag at the start or end of a question line: ('(NB) Tính …') -> ('NB', 'Tính …')."""
    m = _LEVEL_TAG.search(body)
    if m:
        tag = m.group(1) or m.group(2)
        if parse_level(tag):
            return tag, (body[:m.start()] + body[m.end():]).strip()
    return "", body


def _draft(q: _Open, defaults) -> tuple[Draft, list[str]]:
    letters = [c[0] for c in q.choices]
    problems = []
    if letters != list(LETTERS[:len(letters)]):
        problems.append(f"các phương án phải theo thứ tự A, B, C… (đọc được {', '.join(letters) or 'không có'})")
    marked = [i for i, c in enumerate(q.choices) if c[2]]
    answer, count = (marked[0] if marked else None), len(marked)
    if q.key_line:
        key = fold(q.key_line).strip().upper().rstrip(".")[:1]
        if key in LETTERS and (not marked or marked == [LETTERS.index(key)]):
            answer, count = LETTERS.index(key), 1
        elif key in LETTERS:
            problems.append(f"dòng “Đáp án: {key}” khác đáp án được đánh dấu {LETTERS[marked[0]]}")
        else:
            problems.append(f"dòng đáp án “{q.key_line}” không phải một chữ cái A–F")
    draft = Draft(body=q.body, choices=[c[1] for c in q.choices], answer=answer, level=q.level or defaults.level,
                  subject_code=defaults.subject_code, grade=defaults.grade, topic=q.topic or defaults.topic,
                  explanation=q.explanation, keys_marked=count)
    return draft, problems


def _paragraphs(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as e:
        raise QuestionError(f"{path.name}: không phải tệp Word .docx đọc được ({e})") from e
    for paragraph in document.paragraphs:
        for line_text, line_marks in _lines(*_marked_spans(paragraph)):
            yield line_text, line_marks


def _lines(text: str, marks: list[bool]):
    """A paragraph split at its line breaks (Shift+Enter)."""
    start = 0
    for i, ch in enumerate(text + "\n"):
        if ch in "\n\v":
            yield text[start:i], marks[start:i]
            start = i + 1


class _Reader:
    """Reads the lines of a document one by one into questions and problems."""

    def __init__(self, defaults):
        self.defaults = defaults
        self.out: list[tuple[str, Draft]] = []
        self.problems: list[BadQuestion] = []
        self.current: _Open | None = None
        self.level, self.topic = "", ""
        self.seen: set[str] = set()

    def close(self) -> None:
        q = self.current
        if q is None:
            return
        draft, trouble = _draft(q, self.defaults)
        if q.number in self.seen:
            trouble.insert(0, "số câu bị trùng")
        self.seen.add(q.number)
        if trouble:
            self.problems.append(BadQuestion(f"Câu {q.number}", "; ".join(trouble)))
        else:
            self.out.append((f"Câu {q.number}", draft))

    def labelled(self, name: str, value: str) -> None:
        """`Chủ đề: …`, `Mức độ: …`, `Đáp án: B`, `Lời giải: …`."""
        q = self.current
        if name == "chu de":
            self.topic = value
        elif name == "muc do":
            if q is None:
                self.level = value
            else:
                q.level = value
        elif q is not None and name == "dap an":
            q.key_line = value
        elif q is not None:
            q.explanation = value

    def line(self, text: str, marks: list[bool]) -> None:
        folded = fold(text)          # Vietnamese NFC letters fold one to one: indexes stay valid
        m = _QUESTION.match(folded)
        if m:
            self.close()
            tag, body = _level_of(text[m.end():].strip())
            self.current = _Open(m.group(1), body, tag or self.level, self.topic)
            return
        labelled = _LABELLED.match(folded)
        if labelled:
            self.labelled(labelled.group(1).lower(), text.split(":", 1)[1].strip())
            return
        heading = _HEADING_NUMBER.sub("", folded, count=1)
        if parse_level(heading) and len(heading) <= 20:
            self.level = heading
            return
        q = self.current
        if q is None:
            return                       # the title, the school's name, instructions
        found = _choices(text, marks)
        if found is not None:
            q.choices += found
        elif q.explanation:
            q.explanation += " " + text            # the explanation goes on
        elif q.choices and re.match(r"[G-Z]\s*[.)]", text):
            self.problems.append(BadQuestion(f"Câu {q.number}", f"quá 6 phương án (“{text[:20]}”): tối đa A–F"))
        elif q.choices:
            self.problems.append(BadQuestion(f"Câu {q.number}", f"dòng “{text[:40]}” sau các phương án không "
                                                                 "phải phương án A–F (thiếu “Câu …” ?)"))
        else:
            q.body += " " + text


def read_docx(path: Path, defaults) -> tuple[list[tuple[str, Draft]], list[BadQuestion]]:
    """The questions of a .docx as (where, draft), and what could not be read as part of one."""
    reader = _Reader(defaults)
    for text, marks in _paragraphs(path):
        lead = len(text) - len(text.lstrip())
        text, marks = text[lead:].rstrip(), marks[lead:]
        if text:
            reader.line(text, marks)
    reader.close()
    return reader.out, reader.problems
