from django.urls import path

from curation.api import clips, releases, views

urlpatterns = [
    path("videos/<int:video_id>/agreement/", views.VideoAgreementView.as_view()),
    path("projects/<slug:slug>/agreement/", views.ProjectAgreementView.as_view()),
    path("projects/<slug:slug>/consensus/", views.ProjectConsensusView.as_view()),
    path("projects/<slug:slug>/annotators/<str:username>/", views.AnnotatorAgreementView.as_view()),
    path("videos/<int:video_id>/passes/", views.VideoPassesView.as_view()),
    path("projects/<slug:slug>/releases/", releases.ProjectReleasesView.as_view()),
    path("projects/<slug:slug>/imports/", releases.ProjectImportsView.as_view()),
    path("releases/<int:release_id>/", releases.ReleaseDetailView.as_view()),
    path("releases/<int:release_id>/exports/", releases.ReleaseExportsView.as_view()),
    path(
        "releases/<int:release_id>/exports/<str:format_name>/",
        releases.ReleaseDownloadView.as_view(),
    ),
    path("releases/<int:release_id>/clips/", releases.ReleaseClipsView.as_view()),
    path("releases/<int:release_id>/diff/", releases.ReleaseDiffView.as_view()),
    path("evaluate/", releases.EvaluateView.as_view()),
    path("projects/<slug:slug>/clip-agreement/", clips.ClipAgreementView.as_view()),
    path("projects/<slug:slug>/clips/", clips.ProjectClipsView.as_view()),
    path("videos/<int:video_id>/consensus/", views.VideoConsensusView.as_view()),
]
