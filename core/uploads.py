"""Upload checks: the kind of a file is decided by its content (magic bytes), never its name."""

import os
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MB = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    extension: str
    content_type: str


PDF = Kind("pdf", "PDF 文档", "pdf", "application/pdf")
DOCX = Kind("docx", "Word 文档（.docx）", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
JPEG = Kind("jpeg", "JPG 图片", "jpg", "image/jpeg")
PNG = Kind("png", "PNG 图片", "png", "image/png")
MP4 = Kind("mp4", "MP4 视频", "mp4", "video/mp4")
XLSX = Kind("xlsx", "Excel 表格（.xlsx）", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _head(f, n=64):
    pos = f.tell() if hasattr(f, "tell") else 0
    f.seek(0)
    data = f.read(n)
    f.seek(pos)
    return data


def _zip_names(f):
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as z:
            return set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return set()
    finally:
        f.seek(0)


def sniff(f):
    """The Kind of an uploaded file from its first bytes (and zip directory), or None."""
    head = _head(f)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"iso5", b"iso6", b"dash"}:
            return MP4
    if head.startswith(b"PK\x03\x04"):
        names = _zip_names(f)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return XLSX
    return None


def validate_upload(f, allowed, max_bytes):
    """Raise a Chinese ValidationError unless `f` is one of `allowed` kinds and small enough."""
    if f is None:
        raise ValidationError("请选择要上传的文件。")
    size = getattr(f, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"文件过大（{filesizeformat(size)}），此处上传的文件不能超过 {filesizeformat(max_bytes)}。"
        )
    if size == 0:
        raise ValidationError("文件是空的，请重新选择。")
    kind = sniff(f)
    if kind is None or kind not in allowed:
        names = "、".join(k.label for k in allowed)
        raise ValidationError(f"文件类型不符合要求：只接受 {names}。系统按文件内容判断类型，修改扩展名无效。")
    return kind


def safe_original_name(name):
    """The user's file name as data: no directories, no control characters, bounded length."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return base.strip(" .")[:150] or "未命名文件"


def generated_name(prefix, kind):
    return f"{prefix}/{uuid.uuid4().hex}.{kind.extension}"


def delete_replaced_file(field_file, old_name):
    """After commit, delete the file a re-upload replaced (a rollback keeps the old one; a failed delete is
    logged, and the sweeper's orphan check finds the file later)."""
    from .storage import delete_file_on_commit

    if not old_name or old_name == field_file.name:
        return
    delete_file_on_commit(field_file.storage, old_name)
