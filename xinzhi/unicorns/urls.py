from django.urls import path

from . import views

app_name = "unicorns"
urlpatterns = [
    path("", views.company_list, name="list"),
    path("new/", views.company_create, name="create"),
    path("<int:pk>/", views.company_detail, name="detail"),
    path("<int:pk>/edit/", views.company_edit, name="edit"),
    path("discovery/", views.discovery, name="discovery"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("report/", views.annual_report, name="report"),
]
