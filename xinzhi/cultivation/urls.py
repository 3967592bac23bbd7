from django.urls import path

from . import views

app_name = "cultivation"
urlpatterns = [
    path("package/<int:enterprise_id>/", views.package_latest, name="package_latest"),
    path("package/<int:enterprise_id>/<int:year>/", views.package_edit, name="package"),
    path("parameters/", views.parameters_page, name="parameters"),
    path("unclaimed/", views.result_list, {"kind": "unclaimed"}, name="unclaimed"),
    path("pool/", views.result_list, {"kind": "pool"}, name="pool"),
    path("counts/", views.region_counts, name="counts"),
    path("screen/", views.run_screening, name="run_screening"),
    path("am-list/", views.am_list_page, name="am_list"),
    path("sampling/", views.sampling_page, name="sampling"),
    path("sampling/<int:pk>/", views.draw_detail, name="draw"),
    path("what-if/", views.what_if_page, name="what_if"),
]
