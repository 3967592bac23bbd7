from django.urls import path

from . import import_views as views

app_name = "imports"
urlpatterns = [
    path("", views.import_home, name="home"),
    path("preview/", views.import_preview, name="import_preview"),
    path("commit/", views.import_commit, name="import_commit"),
    path("cancel/", views.import_cancel, name="import_cancel"),
    path("template/<str:kind>/", views.import_template, name="import_template"),
    path("issues/<str:token>.xlsx", views.import_issues, name="import_issues"),
]
