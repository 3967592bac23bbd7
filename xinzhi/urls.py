from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xinzhi.api import api
from xinzhi.web import health
from xinzhi.web import views as web

urlpatterns = [
    path("", web.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/tokens/", include("xinzhi.accounts.urls")),
    path("monitoring/", include("xinzhi.monitoring.urls")),
    path("enterprises/", include("xinzhi.enterprises.urls")),
    path("imports/", include("xinzhi.web.import_urls")),
    path("platforms/", include("xinzhi.platforms.urls")),
    path("evaluation/", include("xinzhi.evaluation.urls")),
    path("cultivation/", include("xinzhi.cultivation.urls")),
    path("jobs/", include("xinzhi.jobs.urls")),
    path("notifications/", include("xinzhi.notifications.urls")),
    path("supervision/", include("xinzhi.supervision.urls")),
    path("investment/", include("xinzhi.investment.urls")),
    path("unicorns/", include("xinzhi.unicorns.urls")),
    path("programs/", include("xinzhi.programs.urls")),
    path("help/", include("xinzhi.web.help_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
