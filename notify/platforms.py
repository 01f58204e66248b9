"""The two platforms' HTTP APIs, and nothing else: build the request, send it with a short timeout,
read `errcode`/`errmsg`, and say whether a failure is worth retrying.

- 企业微信群机器人: POST <webhook>?key=… {"msgtype": "markdown", "markdown": {"content": …}}
- 钉钉自定义机器人: POST <webhook>?access_token=…&timestamp=<ms>&sign=<加签>
  {"msgtype": "markdown", "markdown": {"title": …, "text": …}};
  sign = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))
- 企业微信应用消息: GET /cgi-bin/gettoken?corpid=&corpsecret= → access_token (cached until shortly
  before expires_in), then POST /cgi-bin/message/send?access_token=… {"touser", "msgtype": "markdown",
  "agentid", "markdown": {"content"}}; a non-empty "invaliduser" means that person is unknown.
"""

import base64
import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

# errcodes worth a retry with backoff (rate limits, "system busy").
RETRY_ERRCODES = {
    -1: "平台系统繁忙",
    45009: "企业微信接口调用频率超过限制",
    45033: "企业微信接口并发调用超过限制",
    130101: "钉钉机器人发送太快（每分钟最多 20 条）",
    130102: "钉钉机器人发送太快（每小时限额）",
    410100: "钉钉机器人发送太快，已被限流",
}
# errcodes that mean "the access token is stale": fetch a new one and try again at once.
TOKEN_ERRCODES = {40014, 42001, 41001}
# errcodes whose Chinese explanation helps 组织部 / the IT office (all others: errmsg as given).
EXPLAINED = {
    93000: "企业微信机器人 Webhook 地址无效（机器人已被移除？）",
    310000: "钉钉机器人安全设置校验失败（加签密钥不对、关键词不匹配或 IP 不在白名单）",
    300001: "钉钉机器人 access_token 无效",
    40001: "企业微信应用 Secret 无效",
    40013: "企业微信 CorpID 无效",
    60020: "服务器 IP 不在企业微信应用的可信 IP 列表中",
    81013: "企业微信中找不到该成员",
    40056: "企业微信 AgentID 无效",
}
WECOM_MARKDOWN_MAX_BYTES = 4096
DINGTALK_MARKDOWN_MAX_BYTES = 5000


class SendError(Exception):
    """A failed send. `retry` says whether the same message may succeed later."""

    def __init__(self, message, *, retry, errcode=None):
        super().__init__(message)
        self.retry = retry
        self.errcode = errcode


@dataclass
class Sent:
    errcode: int = 0
    errmsg: str = "ok"
    info: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The platforms answer webhooks directly; a redirect is refused (it could point anywhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _timeout():
    return getattr(settings, "NOTIFY_HTTP_TIMEOUT", 5)


def _request(method, url, payload=None):
    data = None
    headers = {"Accept": "application/json"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json; charset=utf-8"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with _opener.open(req, timeout=_timeout()) as resp:  # noqa: S310 - host is allow-listed
            body = resp.read(65536)
    except urllib.error.HTTPError as exc:
        retry = exc.code >= 500 or exc.code == 429
        raise SendError(f"HTTP {exc.code}", retry=retry) from exc
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"网络错误：{reason}", retry=True) from exc
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SendError("平台返回的不是 JSON", retry=True) from exc
    if not isinstance(answer, dict):
        raise SendError("平台返回的 JSON 格式不对", retry=True)
    return answer


def _check(answer):
    try:
        code = int(answer.get("errcode", 0))
    except (TypeError, ValueError):
        code = -1
    msg = str(answer.get("errmsg", ""))[:300]
    if code == 0:
        return Sent(0, msg or "ok")
    label = RETRY_ERRCODES.get(code) or EXPLAINED.get(code) or "平台拒绝了消息"
    raise SendError(f"errcode {code}：{label}（{msg}）", retry=code in RETRY_ERRCODES, errcode=code)


def check_webhook(url):
    """Raise ValueError (Chinese) unless `url` is an https (or allow-listed host) robot webhook."""
    parts = urllib.parse.urlsplit(url or "")
    hosts = set(getattr(settings, "NOTIFY_WEBHOOK_HOSTS", []))
    if parts.hostname not in hosts:
        raise ValueError("Webhook 地址必须是企业微信或钉钉的机器人地址（qyapi.weixin.qq.com / oapi.dingtalk.com）。")
    if parts.scheme != "https" and parts.hostname not in {"127.0.0.1", "localhost"}:
        raise ValueError("Webhook 地址必须以 https:// 开头。")
    if not parts.query:
        raise ValueError("Webhook 地址缺少 key 或 access_token 参数，请复制完整地址。")


# --- 企业微信群机器人 ---------------------------------------------------------------------------


def send_wecom_robot(webhook, content):
    check_webhook(webhook)
    return _check(_request("POST", webhook, {"msgtype": "markdown", "markdown": {"content": content}}))


# --- 钉钉自定义机器人 ----------------------------------------------------------------------------


def dingtalk_sign(secret, timestamp_ms):
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_dingtalk_url(webhook, secret, now=None):
    if not secret:
        return webhook
    timestamp = str(int((now or time.time()) * 1000))
    query = urllib.parse.urlencode({"timestamp": timestamp, "sign": dingtalk_sign(secret, timestamp)})
    return f"{webhook}{'&' if '?' in webhook else '?'}{query}"


def send_dingtalk_robot(webhook, secret, title, text):
    check_webhook(webhook)
    payload = {"msgtype": "markdown", "markdown": {"title": title[:60], "text": text}}
    return _check(_request("POST", signed_dingtalk_url(webhook, secret), payload))


# --- 企业微信应用消息 -----------------------------------------------------------------------------


def wecom_app_configured():
    return bool(settings.WECOM_CORP_ID and settings.WECOM_AGENT_ID and settings.WECOM_APP_SECRET)


def _token_cache_key():
    digest = hashlib.sha256(f"{settings.WECOM_CORP_ID}:{settings.WECOM_APP_SECRET}".encode()).hexdigest()[:16]
    return f"notify:wecom_token:{digest}"


def wecom_access_token(refresh=False):
    key = _token_cache_key()
    if not refresh:
        token = cache.get(key)
        if token:
            return token
    query = urllib.parse.urlencode({"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_APP_SECRET})
    answer = _request("GET", f"{settings.WECOM_API_BASE}/cgi-bin/gettoken?{query}")
    _check(answer)
    token = str(answer.get("access_token") or "")
    if not token:
        raise SendError("企业微信未返回 access_token", retry=True)
    expires = int(answer.get("expires_in") or 7200)
    cache.set(key, token, max(expires - 300, 60))
    return token


def send_wecom_app(userid, content):
    if not wecom_app_configured():
        raise SendError("未配置企业微信应用（WECOM_CORP_ID / WECOM_AGENT_ID / WECOM_APP_SECRET）", retry=False)
    if not userid:
        raise SendError("该账号没有企业微信账号（userid）", retry=False)
    try:
        agent = int(settings.WECOM_AGENT_ID)
    except ValueError:
        raise SendError("WECOM_AGENT_ID 必须是数字", retry=False) from None
    payload = {"touser": userid, "msgtype": "markdown", "agentid": agent, "markdown": {"content": content}}
    for attempt in range(2):
        token = wecom_access_token(refresh=attempt > 0)
        answer = _request("POST", f"{settings.WECOM_API_BASE}/cgi-bin/message/send?access_token={urllib.parse.quote(token)}",
                          payload)
        code = answer.get("errcode", 0)
        if code in TOKEN_ERRCODES and attempt == 0:
            continue
        sent = _check(answer)
        invalid = str(answer.get("invaliduser") or "")
        if invalid:
            raise SendError(f"企业微信中找不到该成员：{invalid}", retry=False, errcode=81013)
        return sent
    raise SendError("企业微信 access_token 刷新后仍无效", retry=True)
