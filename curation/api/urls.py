from django.urls import path

from curation.api import views

urlpatterns = [
    path("videos/<int:video_id>/agreement/", views.VideoAgreementView.as_view()),
    path("projects/<slug:slug>/agreement/", views.ProjectAgreementView.as_view()),
]
