from django.urls import path

from . import views, views_benchmarking, views_brand, views_calls, views_scenarios

app_name = "programs"
urlpatterns = [
    path("", views.problems, name="problems"),
    path("problems/new/", views.pose, name="pose"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("loop/", views.loop_overview, name="loop"),
    path("projects/", views.projects, name="projects"),
    path("projects/new/", views.project_new, name="project_new"),
    path("new-products/", views.new_products, name="new_products"),
    path("new-products/apply/", views.new_product_apply, name="new_product_apply"),
    path("new-products/<int:pk>/", views.new_product_detail, name="new_product"),
    path("standards/", views.standards, name="standards"),
    path("standards/benchmarking/", views_benchmarking.benchmarking_list, name="benchmarking"),
    path("standards/brand-certificates/", views_brand.certificate_list, name="brand_certificates"),
    path("standards/benchmarking/<int:pk>/", views_benchmarking.benchmark_plan, name="benchmark_plan"),
    path("calls/", views_calls.call_list, name="calls"),
    path("calls/<int:pk>/", views_calls.call_detail, name="call"),
    path("calls/<int:pk>/submit/", views_calls.need_submit, name="need_submit"),
    path("needs/<int:pk>/", views_calls.need_detail, name="need"),
    path("scenarios/", views_scenarios.scenario_list, name="scenarios"),
    path("scenarios/new/", views_scenarios.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/", views_scenarios.scenario_detail, name="scenario"),
    path("selection-reviews/", views_calls.selection_reviews, name="selection_reviews"),
]
