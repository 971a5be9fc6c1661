from django.urls import path

from core.api import views

urlpatterns = [
    path("health/", views.HealthView.as_view(), name="health"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/session/", views.SessionView.as_view(), name="auth-session"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<slug:slug>/members/", views.MemberListView.as_view(), name="member-list"),
    path("jobs/<str:job_id>/", views.JobDetailView.as_view(), name="job-detail"),
]
