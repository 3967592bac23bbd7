from django.urls import path

from . import help_views as views

app_name = "help"
urlpatterns = [
    path("", views.help_mine, name="mine"),
    path("package/", views.package_fields, name="package_fields"),
    path("<slug:role>/", views.help_role, name="role"),
]
