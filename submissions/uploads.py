"""Storing uploads for outcomes and 附件3 entries.

The kind is decided by content (magic bytes, then a decoder check: Pillow for images,
ffprobe for videos, a trailer for PDFs); size caps per purpose are enforced while the
body streams in (see CappedUploadHandler) and again here; files go through Django's
storage under generated names; the user's file name is only kept as data."""

import hashlib
import json
import logging
import shutil
import subprocess

from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.template.defaultfilters import filesizeformat

from core.uploads import DOCX, JPEG, MB, MP4, PDF, PNG, generated_name, safe_original_name, validate_upload

from .models import Attachment

log = logging.getLogger(__name__)

PURPOSES = {
    # purpose: (allowed kinds, max bytes, label)
    "doc": ((PDF, DOCX), 50 * MB, "文档"),
    "image": ((JPEG, PNG), 20 * MB, "图片"),
    "video": ((MP4,), 500 * MB, "视频"),
    "evidence": ((PDF, DOCX, JPEG, PNG), 50 * MB, "佐证材料"),
    "scan": ((PDF, JPEG, PNG), 20 * MB, "盖章扫描件"),  # = services.phase1.SCAN_KINDS / SCAN_MAX
}
VIDEO_MIN_SECONDS, VIDEO_MAX_SECONDS = 180, 300


class CappedUploadHandler(FileUploadHandler):
    """Stops reading the request body as soon as a file passes the purpose's cap."""

    def __init__(self, request, max_bytes):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0
        self.too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.max_bytes + 64 * 1024:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def _deep_check(f, kind):
    """Beyond magic bytes: the file must really decode as what it claims to be."""
    f.seek(0)
    if kind in (JPEG, PNG):
        from PIL import Image

        try:
            with Image.open(f) as img:
                img.verify()
        except Exception:  # noqa: BLE001 - any decoder failure means "not an image"
            raise ValidationError("图片文件已损坏或不是真正的图片，请重新导出后上传。") from None
    elif kind == PDF:
        f.seek(max(getattr(f, "size", 0) - 2048, 0))
        if b"%%EOF" not in f.read():
            raise ValidationError("PDF 文件不完整或已损坏，请重新导出后上传。")
    f.seek(0)


def probe_video(path):
    """{duration, width, height, codec} via ffprobe, or None when ffprobe is unavailable."""
    if not shutil.which("ffprobe"):
        return None
    try:
        out = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=codec_name,width,height:format=duration", "-of", "json", path],
            capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return {"error": out.stderr.strip()[:200]}
    data = json.loads(out.stdout or "{}")
    streams = data.get("streams") or []
    if not streams:
        return {"error": "no video stream"}
    s = streams[0]
    duration = data.get("format", {}).get("duration")
    return {"codec": s.get("codec_name", ""), "width": s.get("width"), "height": s.get("height"),
            "duration": float(duration) if duration not in (None, "N/A") else None}


def _temp_path(upload):
    if hasattr(upload, "temporary_file_path"):
        return upload.temporary_file_path(), None
    import tempfile

    tmp = tempfile.NamedTemporaryFile(suffix=".mp4")
    upload.seek(0)
    shutil.copyfileobj(upload, tmp)
    tmp.flush()
    upload.seek(0)
    return tmp.name, tmp


def video_warnings(att):
    warnings = []
    if att.duration_seconds is not None and not (VIDEO_MIN_SECONDS <= att.duration_seconds <= VIDEO_MAX_SECONDS):
        warnings.append(f"视频时长为 {att.duration_label}，建议 3–5 分钟。")
    if att.height and att.height < 1080:
        warnings.append(f"视频分辨率为 {att.width}×{att.height}，建议 1080p。")
    return warnings


def store_upload(upload, organization, purpose, *, by, caption=""):
    """Validate and store one upload; returns (Attachment, warnings). Raises ValidationError."""
    kinds, max_bytes, _label = PURPOSES[purpose]
    kind = validate_upload(upload, kinds, max_bytes)
    _deep_check(upload, kind)
    meta = None
    if kind == MP4:
        path, tmp = _temp_path(upload)
        try:
            meta = probe_video(path)
        finally:
            if tmp:
                tmp.close()
        if meta is not None and meta.get("error"):
            raise ValidationError("无法读取该视频文件，请确认是完整的 MP4（H.264）视频。")
        if meta is not None and meta.get("codec") != "h264":
            raise ValidationError(f"视频编码为 {meta.get('codec') or '未知'}，请转换为 MP4（H.264）后上传。")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    att = Attachment(
        organization=organization, kind=kind.code, original_name=safe_original_name(upload.name), size=upload.size,
        sha256=digest.hexdigest(), uploaded_by=by, caption=(caption or "").strip()[:60],
    )
    if meta:
        att.duration_seconds, att.width, att.height, att.video_codec = (
            meta.get("duration"), meta.get("width"), meta.get("height"), meta.get("codec", ""))
    name = att.file.storage.save(generated_name("attachments", kind), upload)
    att.file.name = name
    try:
        att.save()
    except Exception:
        att.file.storage.delete(name)  # never leave an orphaned file behind
        raise
    return att, (video_warnings(att) if kind == MP4 else [])


def size_error(purpose):
    _kinds, max_bytes, label = PURPOSES[purpose]
    return f"{label}过大：此处上传的文件不能超过 {filesizeformat(max_bytes)}，上传已中止，未保存任何内容。"
