from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("map/", views.thematic_map, name="map"),
    path("map/data/", views.map_data, name="map_data"),
    path("geo/<str:level>.json", views.geojson, name="geojson"),
    path("reports/", views.reports, name="reports"),
    path("reports/issued/<int:pk>.<str:fmt>", views.issued_report, name="issued_report"),
    path("reports/drafts/<int:pk>/", views.draft_report, name="draft"),
    path("targets/", views.targets, name="targets"),
    path("indicators/<str:indicator>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:indicator>/enterprises/", views.drilldown, name="drilldown"),
]
