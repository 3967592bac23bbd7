from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("issue/", views.token_issue, name="token_issue"),
    path("<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
