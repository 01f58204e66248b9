"""Video poster frames (ffmpeg when installed, else none)."""

import os
import shutil
import subprocess
import tempfile

from django.core.files.base import ContentFile


def ffmpeg_path():
    return shutil.which("ffmpeg")


def extract_poster(video_field_file, at_seconds=1.0, duration=None):
    """JPEG bytes of one frame of the video, or None when ffmpeg is missing or fails."""
    ffmpeg = ffmpeg_path()
    if not ffmpeg:
        return None
    if duration is not None:
        at_seconds = min(at_seconds, max(duration / 2, 0))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            src = video_field_file.path
        except NotImplementedError:  # remote storage: copy to a temp file first
            src = os.path.join(tmp, "in.mp4")
            with video_field_file.open("rb") as fh, open(src, "wb") as out:
                shutil.copyfileobj(fh, out)
        dst = os.path.join(tmp, "poster.jpg")
        cmd = [ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-ss", f"{at_seconds:.2f}", "-i", src,
               "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "4", dst]
        try:
            subprocess.run(cmd, check=True, timeout=60, capture_output=True)
        except (subprocess.SubprocessError, OSError):
            return None
        if not os.path.exists(dst) or os.path.getsize(dst) == 0:
            return None
        with open(dst, "rb") as fh:
            return fh.read()


def save_poster(item):
    """(Re)generate item.poster from item.video. Returns True when a poster was saved."""
    if not item.video_id:
        return False
    data = extract_poster(item.video.file, duration=item.video.duration_seconds)
    if not data:
        return False
    if item.poster:
        item.poster.delete(save=False)
    item.poster.save(f"poster-{item.pk}.jpg", ContentFile(data), save=False)
    item.save(update_fields=["poster", "updated_at"])
    return True
