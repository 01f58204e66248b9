"""操作记录 and every 修改记录 read like a ledger: Chinese labels, state labels, people's names,
file names, "item：text" lines, a sentence diff for long texts; never program internals."""

import datetime as dt
import html
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from campaigns import services as campaign_services
from audit.display import sentence_diff
from audit.models import AuditEntry
from organizations import services as org_services
from submissions import services
from submissions.models import Form1

from ..reviews.helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score
from ..submissions.helpers import FORM1_COMPLETE, ROW_COMPLETE

PNG = b"\x89PNG\r\n\x1a\n" + bytes.fromhex("0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 64
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
LITERAL = re.compile(r"""[\[{]\s*['"\[{]|['"]\s*:\s*['"\d\[{]|\[\]|\{\}|\bNone\b|\bTrue\b|\bFalse\b""")
STORAGE_PATH = re.compile(r"\b(?:logos|scans|attachments|posters|pdfcache)/")


def relation_labels():
    """verbose_names of every relation field: their values must be names, never ids."""
    labels = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if (f.many_to_one or f.many_to_many) and hasattr(f, "verbose_name") and f.concrete:
                labels.add(str(f.verbose_name))
    return labels


def choice_values():
    values = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            for value, _ in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and len(value) > 2:
                    values.add(value)
    return values


def audit_text(page):
    """The visible text of the page's history table(s), and each change line as (label, value)."""
    tables = re.findall(r'data-testid="audit-table".*?</table>', page, re.S)
    assert tables, "no history table on the page"
    body = " ".join(tables)
    lines = []
    for div in re.findall(r'<div class="audit-change">(.*?)</div>\s*(?=<div class="audit-change">|\{|<div class="text-muted">|</td>)', body, re.S):
        text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", div))).strip()
        label, _, value = text.partition("：")
        lines.append((label.strip(), value.strip()))
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
    return text, lines


def assert_readable(page):
    text, lines = audit_text(page)
    assert not SNAKE.findall(text), SNAKE.findall(text)
    assert not LITERAL.findall(text), LITERAL.findall(text)
    assert not STORAGE_PATH.findall(text), text
    words = set(re.findall(r"(?<![.\w@])[a-z]{3,}\b(?!\.)", text))  # not a file extension or an e-mail
    assert not words & choice_values(), words & choice_values()  # e.g. draft → submitted
    related = relation_labels()
    for label, value in lines:
        assert label and not label.isascii(), (label, value)
        if label in related:
            assert not re.fullmatch(r"[\d\s→、（空）]*", value), (label, value)  # "最后保存人：→ 7"
    return text, lines


@pytest.fixture
def ledger(world, at, client_for):
    """A year of changes by real services: 附件1 (with LOGO, 五个到位, long texts), a branch row,
    a returned and accepted form, an org and campaign edit, judges and scores."""
    w = world
    at(2026, 5, 8, 10, 0)
    logo = SimpleUploadedFile("我们的logo.png", PNG, content_type="image/png")
    long_before = "学院党委坚持党建引领。把支部建在学科上。推动党建与业务深度融合。形成可复制的经验。"
    form = services.save_form1(w.campaign, w.college_a, dict(FORM1_COMPLETE, foundation=long_before),
                               by=w.users.college, expected_version=0, logo=logo)
    form = services.save_form1(w.campaign, w.college_a, {
        "foundation": long_before.replace("把支部建在学科上。", "把支部建在科研团队上。"),
        "self_assessment": dict(FORM1_COMPLETE["self_assessment"], political="已建立党委会议事规则", team="班子健全")},
        by=w.users.college, expected_version=form.version)
    form = services.submit_form1(form, by=w.users.college)
    services.return_form(form, "请补充经费说明", by=w.users.admin)
    form = Form1.objects.get(pk=form.pk)
    form = services.save_form1(w.campaign, w.college_a, {"guarantees": "学院配套经费8万元"}, by=w.users.college,
                               expected_version=form.version)
    form = services.submit_form1(form, by=w.users.college)
    services.accept_form(form, by=w.users.admin, comment="同意")
    services.save_row(w.campaign, w.branch_a1, ROW_COMPLETE, by=w.users.branch, expected_version=0)
    org_services.update_organization(w.college_a, {"secretary_name": "李书记"}, by=w.users.admin,
                                     expected_version=w.college_a.version)
    campaign = w.campaign
    campaign_services.update_campaign(campaign, {"build_end": campaign.build_end + dt.timedelta(days=3)},
                                      by=w.users.admin, expected_version=campaign.version)
    at(*SCORING_DAY)
    entry = make_entry(w.campaign, w.college_b, title="乙品牌")
    j1 = make_judge("xj1")
    track = open_track(brand_track(w, [j1]), w.users.admin)
    score(track, j1, entry, 15, 25, 30, 20, 10)
    return w


def test_audit_page_and_every_history_page_read_like_a_ledger(ledger, client_for):
    w = ledger
    admin = client_for(w.users.admin)
    assert AuditEntry.objects.count() >= 12
    pages = [reverse("audit:audit"), reverse("audit:audit") + "?page=2",
             reverse("submissions:history", args=[w.campaign.pk, "form1", w.college_a.pk]),
             reverse("submissions:history", args=[w.campaign.pk, "form2", w.college_a.pk]),
             reverse("organizations:detail", args=[w.college_a.pk]),
             reverse("campaigns:detail", args=[w.campaign.pk])]
    seen = ""
    for url in pages:
        response = admin.get(url)
        if response.status_code == 404 and "page=2" in url:
            continue
        assert response.status_code == 200, url
        text, _ = assert_readable(response.content.decode())
        seen += text
    # what the entries say, in words a person reads
    for expected in ["状态", "草稿", "已提交", "已退回", "已通过", "最后保存人", "品牌LOGO", ".png", "政治引领到位：已建立党委会议事规则",
                     "班子建设到位：班子健全", "特色品牌创建 结束", "书记姓名", "李书记", "各指标得分", "评委xj1"]:
        assert expected in seen, expected
    page = admin.get(pages[0]).content.decode()
    model_filter = re.search(r'name="model".*?</select>', page, re.S).group(0)
    assert "附件1" in model_filter or "申报表" in model_filter
    assert "class" not in re.sub(r"<[^>]+>", "", model_filter)


def test_history_marks_the_changed_sentence_of_a_long_text(ledger, client_for):
    html = client_for(ledger.users.admin).get(
        reverse("submissions:history", args=[ledger.campaign.pk, "form1", ledger.college_a.pk])).content.decode()
    assert '<del class="text-danger" title="删去">把支部建在学科上。</del>' in html
    assert '<ins class="text-success" title="新增">把支部建在科研团队上。</ins>' in html


def test_stored_audit_data_is_unchanged_by_the_presentation(ledger, client_for):
    entry = next(e for e in AuditEntry.objects.filter(changes__has_key="self_assessment") if "political" in str(e.changes))
    stored = dict(entry.changes)
    client_for(ledger.users.admin).get(reverse("audit:audit"))
    entry.refresh_from_db()
    assert entry.changes == stored and "political" in str(stored)


def test_sentence_diff_keeps_equal_sentences_and_marks_the_changed_ones():
    assert sentence_diff("甲。乙。丙。", "甲。丁。丙。") == [("equal", "甲。"), ("del", "乙。"), ("ins", "丁。"), ("equal", "丙。")]


def test_audit_page_query_count_does_not_grow_with_entries(ledger, client_for, django_assert_max_num_queries):
    admin = client_for(ledger.users.admin)
    admin.get(reverse("audit:audit"))
    with django_assert_max_num_queries(25):
        admin.get(reverse("audit:audit"))
    copies = [AuditEntry(actor=e.actor, action=e.action, content_type=e.content_type, object_id=e.object_id,
                         object_repr=e.object_repr, organization=e.organization, changes=e.changes)
              for e in AuditEntry.objects.all() for _ in range(9)]
    AuditEntry.objects.bulk_create(copies)  # 10x the entries, the same variety of fields and people
    with django_assert_max_num_queries(25):
        response = admin.get(reverse("audit:audit"))
    assert response.content.decode().count('class="audit-change"') >= 50
