from django.urls import path

from . import views

app_name = "investment"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("transitions/", views.transitions, name="transitions"),
    path("problems/", views.problem_list, name="problems"),
    path("warnings/", views.warning_list, name="warnings"),
    path("tracking/", views.tracking, name="tracking"),
]
