import pytest
from django.core.cache import cache

from campaigns import obligations
from notify import services
from organizations.models import Role
from tests.campaigns.fake_obligations import FakeObligations

from .receiver import Receiver


@pytest.fixture
def receiver(settings):
    """The local 企业微信/钉钉 stand-in; the portal's settings point at it."""
    r = Receiver().start()
    settings.NOTIFY_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com", "127.0.0.1"]
    settings.NOTIFY_HTTP_TIMEOUT = 1
    settings.NOTIFY_BACKOFF_SECONDS = [60, 300, 900, 3600, 10800]
    settings.WECOM_API_BASE = r.base
    settings.WECOM_CORP_ID, settings.WECOM_APP_SECRET = r.corp_id, r.corp_secret
    settings.WECOM_AGENT_ID = str(r.agent_id)
    cache.clear()
    yield r
    r.stop()
    cache.clear()


@pytest.fixture
def no_wecom_app(settings):
    settings.WECOM_CORP_ID = settings.WECOM_AGENT_ID = settings.WECOM_APP_SECRET = ""


def make_robot(admin, url, platform="wecom", org=None, role="", secret="", name=None, enabled=True):
    return services.create_robot(
        {"name": name or f"{platform}-{org or role}", "platform": platform, "organization": org, "role": role,
         "enabled": enabled, "webhook": url, "secret": secret},
        by=admin,
    )


@pytest.fixture
def owed(world):
    """college A owes 附件1; branch A1 owes its 附件2 row; college B owes 附件1 (a different group)."""
    fake = FakeObligations()
    fake.owe(world.college_a, "form1", "填写本单位\"一院一品牌\"申报表（附件1）", role=Role.COLLEGE_SECRETARY)
    fake.owe(world.branch_a1, "form2row", "填写本支部\"一支部一特色\"信息（附件2）")
    fake.owe(world.college_b, "form1", "填写乙学院附件1", role=Role.COLLEGE_SECRETARY)
    with obligations.only(fake):
        yield fake
