from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.rounds, name="rounds"),
    path("calls/", views.calls, name="calls"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/apply/", views.apply, name="apply"),
    path("enrol/", views.enrol, name="enrol"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("my/", views.my_assignments, name="my_assignments"),
    path("my/<int:pk>/", views.review, name="review"),
]
