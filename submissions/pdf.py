"""Printable A4 PDFs of 附件1/附件2 (WeasyPrint), cached per content version.

The cache key changes whenever the form, its rows or its org change, so a cached
PDF is never stale; submitting a form pre-renders its PDF in a Celery task."""

import base64
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone

from core.typography import html_cn_quotes

from . import completeness, queries
from .models import StandardKind

CACHE_DIR = "pdfcache"
LAYOUT_VERSION = "6"  # bump when the PDF templates change


def _cache_key(kind, obj, extra=""):
    raw = f"{LAYOUT_VERSION}|{kind}|{obj.pk}|{obj.version}|{obj.state}|{obj.organization.version}|{extra}"
    return f"{CACHE_DIR}/{kind}-{obj.pk}-{hashlib.sha256(raw.encode()).hexdigest()[:20]}.pdf"


def _logo_data_uri(form1):
    if not form1.logo:
        return ""
    try:
        with form1.logo.open("rb") as fh:
            data = fh.read()
    except OSError:
        return ""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def render_html_to_pdf(html):
    from weasyprint import HTML

    return HTML(string=html_cn_quotes(html), base_url=str(settings.BASE_DIR)).write_pdf()


def warm_up():
    """Render a full-length 附件1 once, from unsaved objects (no database): WeasyPrint's import, font
    discovery for every weight the PDF stylesheets use, CSS parsing and fontTools' subsetting are then
    done before the first real request (gunicorn.conf.post_worker_init). bench/pdf_bench.py measures it."""
    from campaigns.models import Campaign
    from organizations.models import Organization

    from .models import Form1

    text = "围绕中心工作抓好党建重点任务落实，在思路、内容、形式及载体上寻求突破点和创新点。“预热”ABC 123。" * 12
    org = Organization(name="预热学院党委", code="WARM", level="college", org_type="college_committee")
    form = Form1(organization=org, state="submitted", brand_name="预热品牌", slogan=text[:30], secretary_name="预热",
                 secretary_title="书记", secretary_phone="13800000000", contact_name="预热", contact_mobile="13800000000",
                 contact_email="warm@example.invalid", members_staff=10, members_student=20, members_retired=3,
                 logo_meaning=text[:200], foundation=text, honours=text[:300], connotation=text, goals=text,
                 measures="\n".join([text[:60]] * 6), schedule="\n".join([text[:40]] * 6), expected_results=text,
                 guarantees=text)
    html = render_to_string("submissions/pdf/form1.html", {
        "f": form, "org": org, "campaign": Campaign(year=timezone.localdate().year), "font": settings.PDF_FONT_FAMILY,
        "five": [], "logo": "", "printed_at": timezone.localtime(), "n_branches": 3,
    })
    return render_html_to_pdf(html)


def form1_html(form):
    five = completeness.standard_items(StandardKind.FIVE)
    return render_to_string("submissions/pdf/form1.html", {
        "f": form, "org": form.organization, "campaign": form.campaign, "font": settings.PDF_FONT_FAMILY,
        "five": [(i, (form.self_assessment or {}).get(i.code, "")) for i in five],
        "logo": _logo_data_uri(form), "printed_at": timezone.localtime(),
        "n_branches": form.organization.children.filter(is_active=True).count(),
    })


def form2_html(form2):
    form2 = queries.form2_for_pdf(form2)
    return render_to_string("submissions/pdf/form2.html", {
        "f": form2, "org": form2.organization, "campaign": form2.campaign, "rows": list(form2.rows.all()),
        "font": settings.PDF_FONT_FAMILY, "printed_at": timezone.localtime(),
    })


def _rows_digest(form2):
    return ",".join(f"{pk}:{v}" for pk, v in form2.rows.order_by("pk").values_list("pk", "version"))


def form_pdf(kind, obj, use_cache=True):
    extra = _rows_digest(obj) if kind == "form2" else ""
    key = _cache_key(kind, obj, extra)
    if use_cache and default_storage.exists(key):
        with default_storage.open(key, "rb") as fh:
            return fh.read()
    html = form1_html(obj) if kind == "form1" else form2_html(obj)
    data = render_html_to_pdf(html)
    if use_cache:
        default_storage.save(key, ContentFile(data))
    return data


def entry_pdf(entry, use_cache=True):
    """附件3 as the printable 申报表."""
    key = f"{CACHE_DIR}/entry-{entry.pk}-" + hashlib.sha256(
        f"{LAYOUT_VERSION}|{entry.pk}|{entry.version}|{entry.state}|{entry.organization.version}".encode()
    ).hexdigest()[:20] + ".pdf"
    if use_cache and default_storage.exists(key):
        with default_storage.open(key, "rb") as fh:
            return fh.read()
    html = render_to_string("submissions/pdf/entry.html", {
        "e": entry, "org": entry.organization, "campaign": entry.campaign, "font": settings.PDF_FONT_FAMILY,
        "printed_at": timezone.localtime(), "evidence": list(entry.evidence.all()),
    })
    data = render_html_to_pdf(html)
    if use_cache:
        default_storage.save(key, ContentFile(data))
    return data


def pdf_response(data, filename):
    """An inline PDF download with a UTF-8 (Chinese) file name (RFC 5987/6266)."""
    from django.http import HttpResponse

    from core.http import content_disposition

    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def document_filename(campaign, org, label, ext="pdf"):
    """2026年度-机械工程学院党委-附件1.pdf: the year, the organisation, what the document is."""
    return f"{campaign.year}年度-{org.name}-{label}.{ext}"
