"""Upload memory: stream a ~200 MB MP4 to a real gunicorn worker and watch the worker's resident memory.

Run: .venv/bin/python bench/upload_bench.py [size_mb]    (needs ffmpeg; prints numbers, asserts nothing)

The video is a real H.264 MP4 (3 s test pattern, moov first) followed by a large `free` box, so the
server runs its whole path: capped upload handler → temp file → magic bytes → ffprobe → sha256 → storage."""

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def rss_kb(pid, field="VmRSS"):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def make_video(path, size_mb):
    small = path.with_suffix(".small.mp4")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=3:size=1920x1080:rate=25",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(small)], check=True)
    pad = size_mb * 1024 * 1024 - small.stat().st_size
    with open(path, "wb") as out:
        out.write(small.read_bytes())
        out.write(pad.to_bytes(4, "big") + b"free")
        chunk = b"\0" * (1024 * 1024)
        remaining = pad - 8
        while remaining > 0:
            out.write(chunk[: min(len(chunk), remaining)])
            remaining -= len(chunk)
    small.unlink()


def main(size_mb=200):
    if not shutil.which("ffmpeg"):
        sys.exit("ffmpeg needed")
    work = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    (work / "upload-tmp").mkdir()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{work}/db.sqlite3", MEDIA_ROOT=str(work / "media"), DEBUG="1",
               DJANGO_SETTINGS_MODULE="brandcampaign.settings", FILE_UPLOAD_TEMP_DIR=str(work / "upload-tmp"))
    env.pop("REDIS_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "seed_demo", "--phase", "3", "-v0"], cwd=ROOT, env=env, check=True)
    entry_id = subprocess.run(
        [PY, "manage.py", "shell", "-c",
         "from submissions.models import Entry;print(Entry.objects.get(track='brand', organization__code='JX').pk)"],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    video = work / "big.mp4"
    t = time.perf_counter()
    make_video(video, size_mb)
    print(f"test video: {video.stat().st_size / 1e6:.0f} MB (made in {time.perf_counter() - t:.1f} s)")

    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "brandcampaign.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
                               "--workers", "1", "--timeout", "600", "--config", "/dev/null"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        worker = int(subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()[0])

        # log in as college1
        c = http.client.HTTPConnection("127.0.0.1", PORT)
        c.request("GET", "/accounts/login/")
        r = c.getresponse()
        body = r.read().decode()
        csrf = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie")).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = f"csrfmiddlewaretoken={token}&username=college1&password=demo12345&next=/"
        c.request("POST", "/accounts/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}", "Referer": f"http://127.0.0.1:{PORT}/"})
        r = c.getresponse()
        r.read()
        cookies = "; ".join(m.split(";")[0] for m in r.headers.get_all("Set-Cookie"))
        session = re.search(r"sessionid=[^;]+", cookies).group(0)
        csrf = re.search(r"csrftoken=([^;]+)", cookies).group(1)
        c.request("GET", "/", headers={"Cookie": f"{session}; csrftoken={csrf}"})
        c.getresponse().read()

        base_rss = rss_kb(worker)
        peak = [base_rss]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                peak.append(rss_kb(worker))
                time.sleep(0.05)

        threading.Thread(target=sample, daemon=True).start()
        boundary = uuid.uuid4().hex
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"示范点.mp4\"\r\n"
                f"Content-Type: video/mp4\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        length = len(head) + video.stat().st_size + len(tail)
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        c.putrequest("POST", f"/submissions/entries/{entry_id}/files/video/")
        for k, v in {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length),
                     "Cookie": f"{session}; csrftoken={csrf}", "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest",
                     "Referer": f"http://127.0.0.1:{PORT}/"}.items():
            c.putheader(k, v)
        c.endheaders()
        t = time.perf_counter()
        c.send(head)
        with open(video, "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                c.send(chunk)
        c.send(tail)
        r = c.getresponse()
        answer = r.read().decode()
        elapsed = time.perf_counter() - t
        stop.set()
        time.sleep(0.1)
        print(f"upload of {length / 1e6:.0f} MB: HTTP {r.status} in {elapsed:.1f} s ({length / 1e6 / elapsed:.0f} MB/s) -> {answer[:120]}")
        print(f"worker RSS: before {base_rss / 1024:.0f} MB, peak during upload {max(peak) / 1024:.0f} MB "
              f"(+{(max(peak) - base_rss) / 1024:.0f} MB), VmHWM {rss_kb(worker, 'VmHWM') / 1024:.0f} MB")
        stored = sum(p.stat().st_size for p in (work / "media").rglob("*") if p.is_file())
        print(f"stored under MEDIA_ROOT: {stored / 1e6:.0f} MB")

        # a cancelled upload: send half the body, then drop the connection
        before = sorted(p.name for p in (work / "media").rglob("*") if p.is_file())
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
        c.putrequest("POST", f"/submissions/entries/{entry_id}/files/video/")
        for k, v in {"Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length),
                     "Cookie": f"{session}; csrftoken={csrf}", "X-CSRFToken": csrf, "X-Requested-With": "XMLHttpRequest",
                     "Referer": f"http://127.0.0.1:{PORT}/"}.items():
            c.putheader(k, v)
        c.endheaders()
        c.send(head)
        with open(video, "rb") as fh:
            for _ in range(length // 2 // (1024 * 1024)):
                c.send(fh.read(1024 * 1024))
        time.sleep(0.5)
        in_tmp = list((work / "upload-tmp").iterdir())
        c.sock.close()
        time.sleep(2)
        left_tmp = list((work / "upload-tmp").iterdir())
        after = sorted(p.name for p in (work / "media").rglob("*") if p.is_file())
        print(f"cancelled upload: temp files while streaming {len(in_tmp)}, after disconnect {len(left_tmp)}; "
              f"new files under MEDIA_ROOT: {len(set(after) - set(before))}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
