from django.urls import path

from annotation.api import views

urlpatterns = [
    path(
        "projects/<slug:slug>/assignments/",
        views.ProjectAssignmentsView.as_view(),
        name="project-assignments",
    ),
    path(
        "projects/<slug:slug>/members/<str:username>/",
        views.MemberDetailView.as_view(),
        name="member-detail",
    ),
    path("me/assignments/", views.MyAssignmentsView.as_view(), name="my-assignments"),
    path("assignments/<int:assignment_id>/", views.AssignmentDetailView.as_view()),
    path("assignments/<int:assignment_id>/segments/", views.SegmentsView.as_view()),
    path("assignments/<int:assignment_id>/vote/", views.VoteView.as_view()),
    path("assignments/<int:assignment_id>/submit/", views.SubmitView.as_view()),
    path("assignments/<int:assignment_id>/reopen/", views.ReopenView.as_view()),
    path("assignments/<int:assignment_id>/activity/", views.ActivityView.as_view()),
    path("assignments/<int:assignment_id>/history/", views.HistoryView.as_view()),
]
