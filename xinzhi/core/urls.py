from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.import_home, name="imports"),
    path("preview/", views.import_preview, name="import_preview"),
    path("commit/", views.import_commit, name="import_commit"),
    path("cancel/", views.import_cancel, name="import_cancel"),
    path("template/<str:kind>/", views.import_template, name="import_template"),
]
