"""Builders for 材料查重 tests: submitted materials with given texts, documents, earlier years."""

import io
import zipfile

from django.core.files.base import ContentFile

from campaigns.models import Campaign
from campaigns.services import create_campaign
from similarity import textgen
from submissions.models import Attachment, Entry, EntryState, Form1, FormState

TEXT_A = textgen.text(1001, 3000)
TEXT_B = textgen.text(2002, 3000)
TEXT_C = textgen.text(3003, 3000)


def paragraph(text, n=2):
    return text.split("\n")[n]


def plant(target, passage, at=3):
    paras = target.split("\n")
    return "\n".join(paras[:at] + [passage] + paras[at:])


def entry(campaign, org, overview, state=EntryState.SUBMITTED, **extra):
    college = org if org.parent is None or org.level == "college" else org.parent
    track = "brand" if org.level == "college" else "branch"
    return Entry.objects.create(campaign=campaign, track=track, organization=org, college=college, state=state,
                                title=extra.pop("title", f"{org.name}品牌"), overview=overview,
                                rank=1 if track == "branch" else None, **extra)


def form1(campaign, org, connotation, state=FormState.SUBMITTED):
    return Form1.objects.create(campaign=campaign, organization=org, state=state, brand_name="测试品牌",
                                connotation=connotation)


def earlier_campaign(year=2025):
    return Campaign.objects.filter(year=year).first() or create_campaign(year)


def pdf_bytes(text):
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return HTML(string=f"<html><body style='font-family: WenQuanYi Micro Hei'>{body}</body></html>").write_pdf()


def docx_bytes(text):
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paras = "".join(f"<w:p><w:r><w:t>{p[:20]}</w:t></w:r><w:r><w:t>{p[20:]}</w:t></w:r></w:p>"
                    for p in text.split("\n"))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{ns}"><w:body>{paras}</w:body></w:document>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    return buf.getvalue()


def attachment(org, data, kind="pdf", name=None):
    import hashlib

    att = Attachment(organization=org, kind=kind, original_name=name or f"材料.{kind}", size=len(data),
                     sha256=hashlib.sha256(data).hexdigest())
    att.file.save(f"attachments/t.{kind}", ContentFile(data), save=False)
    att.save()
    return att
