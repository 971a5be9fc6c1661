from django.urls import path

from inference.api import views

urlpatterns = [
    path("projects/<slug:slug>/models/", views.ProjectModelsView.as_view()),
    path("models/<int:model_id>/", views.ModelDetailView.as_view()),
    path("projects/<slug:slug>/prelabel-runs/", views.ProjectPrelabelRunsView.as_view()),
    path("projects/<slug:slug>/features/", views.ProjectFeaturesView.as_view()),
    path("videos/<int:video_id>/proposals/", views.VideoProposalsView.as_view()),
]
