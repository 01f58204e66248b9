"""What a notice says, independent of the platform, and its rendering into each platform's markdown.

A caller (reminders, or any other notice that goes by e-mail) builds a `Message`: a title, the
deadline, the missing items (label, org, state, link) and a link back to the portal. `render()`
turns it into 企业微信 markdown (<font color> allowed) or 钉钉 markdown, escapes the text that
comes from users, and keeps it under the platform's size limit (the rest: "另有 N 项")."""

from dataclasses import dataclass, field

from django.conf import settings

from .models import Channel
from .platforms import DINGTALK_MARKDOWN_MAX_BYTES, WECOM_MARKDOWN_MAX_BYTES

_ESCAPE = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "'", "#": "＃", "\\": "＼"})


def esc(text):
    """User text (org names, labels, notes) must not become links, tags or headings."""
    return " ".join(str(text or "").translate(_ESCAPE).split())


@dataclass
class Line:
    label: str
    organization: str = ""
    state: str = ""
    url: str = ""


@dataclass
class Message:
    title: str
    deadline: str = ""  # "2026年5月15日 23:59（还剩 3 天）"
    intro: str = ""
    lines: list = field(default_factory=list)
    note: str = ""
    body: str = ""  # free text when there are no lines (e.g. a test message)
    link: str = ""
    link_text: str = "登录平台查看"

    def url(self):
        return self.link or settings.SITE_URL + "/"


def _line(i, line, link_text="去处理"):
    text = f"{i}. "
    if line.organization:
        text += f"**{esc(line.organization)}**："
    text += esc(line.label)
    if line.state:
        text += f"（{esc(line.state)}）"
    if line.url and line.url.startswith(("http://", "https://")):
        text += f" [{link_text}]({line.url})"
    return text


def render(message, channel):
    """(title, markdown content) for `channel`."""
    wecom = channel in (Channel.WECOM_ROBOT, Channel.WECOM_APP)
    limit = WECOM_MARKDOWN_MAX_BYTES if wecom else DINGTALK_MARKDOWN_MAX_BYTES
    sep = "\n" if wecom else "\n\n"
    head = [f"### {esc(message.title)}"]
    if message.deadline:
        when = f'<font color="warning">{esc(message.deadline)}</font>' if wecom else f"**{esc(message.deadline)}**"
        head.append(f"> 截止时间：{when}")
    if message.note:
        head.append(f"> {esc(message.note)}")
    if message.intro:
        head.append(esc(message.intro))
    if message.body:
        head.append("\n".join(esc(line) for line in message.body.splitlines() if line.strip()))
    foot = f"[{message.link_text}]({message.url()})"
    size = len((sep.join(head) + sep + foot).encode()) + 80  # room for the "另有 N 项" line
    lines = []
    for i, line in enumerate(message.lines, 1):
        text = _line(i, line)
        if size + len(text.encode()) + 1 > limit:
            lines.append(f"……另有 {len(message.lines) - i + 1} 项未列出，请登录平台查看。")
            break
        lines.append(text)
        size += len(text.encode()) + 1
    blocks = head + (["\n".join(lines)] if lines else []) + [foot]
    return esc(message.title)[:300], sep.join(blocks)
