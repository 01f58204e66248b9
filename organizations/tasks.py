"""Mail the one-time password link. Takes an id; the link is computed here (never stored or queued)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from .models import User


@shared_task(bind=True, name="organizations.tasks.send_password_link", max_retries=5, default_retry_delay=300)
def send_password_link(self, user_id):
    from .importing import activation_path

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    link = settings.SITE_URL + activation_path(user)
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    body = (f"{user.display_name}同志：\n\n党委组织部为您的账号（{user.username}）生成了设置密码链接，"
            f"请在 {days} 天内打开并设置新密码（链接只能使用一次）：\n\n{link}\n\n"
            f"如非本人申请，请忽略本邮件并联系{settings.PORTAL_CONTACT}。\n")
    try:
        send_mail("【党建特色品牌创建平台】设置登录密码", body, None, [user.email])
    except OSError as exc:
        raise self.retry(exc=exc)
    return True
