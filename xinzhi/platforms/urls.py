from django.urls import path

from . import views

app_name = "platforms"
urlpatterns = [
    path("", views.register, name="register"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("platforms/<int:pk>/", views.platform_detail, name="platform"),
    path("coverage/", views.coverage, name="coverage"),
    path("chain/", views.chain, name="chain"),
    path("national/", views.national, name="national"),
    path("pilot-platforms/", views.pilot_scheme, name="pilot_scheme"),
    path("network/", views.network_page, name="network"),
    path("network.json", views.network_json, name="network_json"),
    path("map-points.json", views.map_points, name="map_points"),
]
