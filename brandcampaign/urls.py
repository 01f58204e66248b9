from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from campaigns.views import HomeView
from core.views import healthz
from organizations import passwords
from organizations.views import ActivateAccountView
from organizations.views_login import CASLoginView, PortalLoginView, PortalLogoutView

admin.site.site_header = "党建特色品牌创建平台 · 系统管理"
admin.site.site_title = "系统管理"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/favicon.svg", permanent=True)),
    path("accounts/login/", PortalLoginView.as_view(), name="login"),
    path("accounts/cas/login/", CASLoginView.as_view(), name="cas_login"),  # 统一身份认证 (off: 404)
    path("accounts/logout/", PortalLogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(form_class=passwords.PasswordChangeForm), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/activate/<uidb64>/<token>/", ActivateAccountView.as_view(), name="activate"),
    path("orgs/", include("organizations.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("submissions/", include("submissions.urls")),
    path("reviews/", include("reviews.urls")),
    path("audit/", include("audit.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("showcase/", include("showcase.urls")),
    path("notify/", include("notify.urls")),
    path("similarity/", include("similarity.urls")),
    path("sysadmin/", admin.site.urls),
]

handler500 = "core.edge.server_error"
