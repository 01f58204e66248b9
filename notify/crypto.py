"""Encryption at rest for robot webhook URLs and secrets (Fernet, from `cryptography`).

The key comes from NOTIFY_ENCRYPTION_KEY: one or more Fernet keys, comma-separated, the first
encrypts and all decrypt (key rotation: put the new key first, re-save the robots, drop the old).
Only the embedded default (no DJANGO_ENV=production) derives a key from SECRET_KEY; production
without NOTIFY_ENCRYPTION_KEY refuses to store or read a robot (a clear message, not a crash)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class KeyMissing(Exception):
    message = "服务器未配置加密密钥 NOTIFY_ENCRYPTION_KEY，无法保存或使用群机器人。请联系信息化部门。"

    def __str__(self):
        return self.message


class CannotDecrypt(Exception):
    message = "无法解密已保存的机器人地址（加密密钥 NOTIFY_ENCRYPTION_KEY 已更换？）。请重新填写 Webhook 地址。"

    def __str__(self):
        return self.message


def generate_key():
    return Fernet.generate_key().decode()


def _derived_key():
    digest = hashlib.sha256(b"brandcampaign.notify:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet():
    raw = [k.strip() for k in (settings.NOTIFY_ENCRYPTION_KEY or "").split(",") if k.strip()]
    if not raw:
        if getattr(settings, "PRODUCTION", False):
            raise KeyMissing()
        return MultiFernet([Fernet(_derived_key())])
    try:
        return MultiFernet([Fernet(k.encode()) for k in raw])
    except ValueError as exc:
        raise KeyMissing() from exc


def encrypt(text):
    if not text:
        return ""
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise CannotDecrypt() from exc


def mask(text, keep=4):
    """"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…3f9a": host and path, never the key."""
    if not text:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    tail = text[-keep:] if len(text) > keep * 3 else ""
    if parts.scheme and parts.netloc:
        query = parts.query.split("=", 1)[0] + "=" if parts.query else ""
        return f"{parts.scheme}://{parts.netloc}{parts.path}{'?' + query if query else ''}…{tail}"[:120]
    return f"…{tail}" if tail else "已设置"
