from django.urls import path

from curation.api import views

urlpatterns = [
    path("videos/<int:video_id>/agreement/", views.VideoAgreementView.as_view()),
    path("projects/<slug:slug>/agreement/", views.ProjectAgreementView.as_view()),
    path("projects/<slug:slug>/consensus/", views.ProjectConsensusView.as_view()),
    path("projects/<slug:slug>/annotators/<str:username>/", views.AnnotatorAgreementView.as_view()),
    path("videos/<int:video_id>/passes/", views.VideoPassesView.as_view()),
    path("videos/<int:video_id>/consensus/", views.VideoConsensusView.as_view()),
]
