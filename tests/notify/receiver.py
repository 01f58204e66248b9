"""A local stand-in for the 企业微信 and 钉钉 servers, implementing their documented formats.

- 企业微信群机器人  POST /cgi-bin/webhook/send?key=K   {"msgtype": "markdown", "markdown": {"content"}}
- 钉钉自定义机器人  POST /robot/send?access_token=T&timestamp=ms&sign=S  {"msgtype": "markdown",
  "markdown": {"title", "text"}}; with a secret, the receiver checks that the timestamp is within one
  hour and that S == base64(HMAC-SHA256(secret, "timestamp\\nsecret")), else errcode 310000.
- 企业微信 gettoken  GET /cgi-bin/gettoken?corpid=&corpsecret=  → access_token, expires_in
- 企业微信应用消息  POST /cgi-bin/message/send?access_token=  {"touser", "msgtype", "agentid", "markdown"}

Every answer is JSON {"errcode", "errmsg", ...}. `fail(target, *answers)` scripts the next answers
for a robot key/token or "app": an errcode (45009, 130101, ...), "http502" or "slow" (sleeps past
the client's timeout). `received` lists only the messages the "platform" accepted."""

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

ERRMSG = {
    45009: "api freq out of limit",
    130101: "send too fast, exceed 20 times per minute",
    93000: "invalid webhook url",
    300001: "token is not exist",
    310000: "sign not match",
    40001: "invalid credential",
    40013: "invalid corpid",
    42001: "access_token expired",
    40014: "invalid access_token",
    81013: "user & party & tag all invalid",
    40008: "invalid message type",
    44004: "empty content",
    40058: "markdown.content exceed max length 4096",
    -1: "system busy",
}


class Receiver:
    def __init__(self):
        self.wecom_keys = set()
        self.dingtalk_tokens = {}  # access_token -> secret ("" = no 加签)
        self.corp_id, self.corp_secret, self.agent_id = "wwcorp0001", "app-secret-0001", 1000002
        self.members = set()
        self.tokens = set()
        self.token_requests = 0
        self.received = []  # (channel, target, payload)
        self.requests = 0
        self.scripts = defaultdict(deque)
        self.slow_seconds = 2.0
        self.lock = threading.Lock()
        self.server = None

    # --- set-up ---
    def start(self, port=0):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                receiver.handle(self, "GET")

            def do_POST(self):
                receiver.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def wecom_robot(self):
        key = str(uuid.uuid4())
        self.wecom_keys.add(key)
        return key, f"{self.base}/cgi-bin/webhook/send?key={key}"

    def dingtalk_robot(self, secret=None):
        token = uuid.uuid4().hex * 2
        secret = "SEC" + uuid.uuid4().hex * 2 if secret is None else secret
        self.dingtalk_tokens[token] = secret
        return token, secret, f"{self.base}/robot/send?access_token={token}"

    def fail(self, target, *answers):
        self.scripts[target].extend(answers)

    def expire_tokens(self):
        self.tokens.clear()

    def messages_for(self, target):
        return [payload for _channel, t, payload in self.received if t == target]

    # --- the platforms ---
    def handle(self, request, method):
        with self.lock:
            self.requests += 1
        parts = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        body = None
        if method == "POST":
            raw = request.rfile.read(int(request.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                return self.answer(request, 40008)
        route = (method, parts.path)
        if route == ("POST", "/cgi-bin/webhook/send"):
            key = query.get("key", "")
            if key not in self.wecom_keys:
                return self.answer(request, 93000)
            return self.accept(request, "wecom_robot", key, body, self.check_wecom_markdown(body))
        if route == ("POST", "/robot/send"):
            token = query.get("access_token", "")
            if token not in self.dingtalk_tokens:
                return self.answer(request, 300001)
            secret = self.dingtalk_tokens[token]
            if secret and not self.sign_ok(secret, query.get("timestamp", ""), query.get("sign", "")):
                return self.answer(request, 310000)
            md = body.get("markdown") or {}
            bad = None if body.get("msgtype") == "markdown" and md.get("title") and md.get("text") else 40008
            return self.accept(request, "dingtalk_robot", token, body, bad)
        if route == ("GET", "/cgi-bin/gettoken"):
            if query.get("corpid") != self.corp_id:
                return self.answer(request, 40013)
            if query.get("corpsecret") != self.corp_secret:
                return self.answer(request, 40001)
            token = uuid.uuid4().hex
            with self.lock:
                self.tokens.add(token)
                self.token_requests += 1
            return self.answer(request, 0, access_token=token, expires_in=7200)
        if route == ("POST", "/cgi-bin/message/send"):
            token = query.get("access_token", "")
            if token not in self.tokens:
                return self.answer(request, 42001)
            if body.get("agentid") != self.agent_id:
                return self.answer(request, 40056)
            users = [u for u in str(body.get("touser", "")).split("|") if u]
            invalid = [u for u in users if u not in self.members]
            if users and len(invalid) == len(users):
                return self.answer(request, 81013, invaliduser="|".join(invalid))
            bad = self.check_wecom_markdown(body)
            return self.accept(request, "wecom_app", "app", body, bad, invaliduser="|".join(invalid), msgid="m1")
        request.send_response(404)
        request.end_headers()

    @staticmethod
    def check_wecom_markdown(body):
        if body.get("msgtype") != "markdown":
            return 40008
        content = (body.get("markdown") or {}).get("content") or ""
        if not content:
            return 44004
        if len(content.encode("utf-8")) > 4096:
            return 40058
        return None

    @staticmethod
    def sign_ok(secret, timestamp, sign):
        try:
            ts = int(timestamp)
        except ValueError:
            return False
        if abs(time.time() * 1000 - ts) > 3600 * 1000:
            return False
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        return hmac.compare_digest(expected, sign)

    def accept(self, request, channel, target, body, bad, **extra):
        with self.lock:
            scripted = self.scripts[target].popleft() if self.scripts[target] else None
        if scripted == "http502":
            request.send_response(502)
            request.end_headers()
            return None
        if scripted == "slow":
            time.sleep(self.slow_seconds)
            return self.answer(request, 0)  # too late: the client gave up
        if scripted is not None:
            return self.answer(request, scripted)
        if bad:
            return self.answer(request, bad)
        with self.lock:
            self.received.append((channel, target, body))
        return self.answer(request, 0, **extra)

    @staticmethod
    def answer(request, errcode, **extra):
        payload = json.dumps({"errcode": errcode, "errmsg": ERRMSG.get(errcode, "ok" if errcode == 0 else "error"),
                              **extra}).encode()
        try:
            request.send_response(200)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(payload)))
            request.end_headers()
            request.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass


def closed_port_url(path="/cgi-bin/webhook/send?key=down"):
    """A URL on which nothing listens (connection refused): the platform is down."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}{path}"
