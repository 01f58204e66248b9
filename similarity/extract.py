"""The text of an uploaded document: PDF text via pypdf, .docx via the zip's XML (word/document.xml).

Bounded: at most MAX_PAGES pages and engine.MAX_CHARS characters; a broken file gives "" and a note,
never an exception (the upload itself was already validated by submissions.uploads)."""

import io
import logging
import re
import zipfile
from xml.etree import ElementTree

from .engine import MAX_CHARS

log = logging.getLogger(__name__)
MAX_PAGES = 300
MAX_XML = 50 * 1024 * 1024  # uncompressed word/document.xml
_WRAP = re.compile(r"([^。！？!?；;:：\n])[ \t]*\n(?!\n)")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_text(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, total = [], 0
    for page in reader.pages[:MAX_PAGES]:
        t = page.extract_text() or ""
        parts.append(t)
        total += len(t)
        if total >= MAX_CHARS:
            break
    return unwrap("\n".join(parts))[:MAX_CHARS]


def unwrap(text):
    """Undo a PDF's line wrapping: a line break not after a sentence end joins the lines (Chinese has no
    spaces between words, so nothing is lost), a break after 。！？； stays a break."""
    return _WRAP.sub(lambda m: m.group(1), text)


def docx_text(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("word/document.xml")
        if info.file_size > MAX_XML:
            raise ValueError("document.xml too large")
        root = ElementTree.fromstring(z.read(info))
    paras = []
    for p in root.iter(f"{_W}p"):
        line = "".join(node.text or "" for node in p.iter() if node.tag in (f"{_W}t",))
        if line.strip():
            paras.append(line)
    return "\n".join(paras)[:MAX_CHARS]


def document_text(attachment):
    """(text, note) of a PDF or Word attachment."""
    try:
        with attachment.file.open("rb") as fh:
            data = fh.read()
    except (OSError, ValueError) as exc:
        return "", f"无法读取文件：{type(exc).__name__}"
    try:
        text = pdf_text(data) if attachment.kind == "pdf" else docx_text(data)
    except Exception as exc:  # noqa: BLE001 - a document we cannot parse is reported, not fatal
        log.info("similarity: cannot extract %s: %s", attachment.pk, exc)
        return "", "无法提取文字（文件损坏或为扫描图片）"
    if not text.strip():
        return "", "未提取到文字（可能是扫描图片）"
    return text, ""
