from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("ledger/load/", views.load_ledger, name="load_ledger"),
    path("tasks/new/", views.create_task, name="create_task"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/split/", views.split_task, name="split"),
    path("tasks/<int:pk>/edit/", views.edit_task, name="edit_task"),
    path("tasks/<int:pk>/progress/", views.report_progress, name="report_progress"),
    path("tasks/<int:pk>/notices/", views.issue_notice, name="issue_notice"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("notices/", views.notices, name="notices"),
    path("outputs/", views.outputs, name="outputs"),
    path("activities/", views.activities, name="activities"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("funds/", views.funds, name="funds"),
    path("board/", views.board, name="board"),
    path("notices/<int:pk>/", views.notice_action, name="notice_action"),
]
