from django.urls import path

from videos.api import views

urlpatterns = [
    path("projects/<slug:slug>/videos/", views.ProjectVideosView.as_view(), name="project-videos"),
    path("videos/<int:video_id>/", views.VideoDetailView.as_view(), name="video-detail"),
    path(
        "videos/<int:video_id>/frames/<int:index>/", views.FrameView.as_view(), name="video-frame"
    ),
    path("videos/<int:video_id>/proxy/", views.ProxyView.as_view(), name="video-proxy"),
    path("videos/<int:video_id>/sprite/", views.SpriteView.as_view(), name="video-sprite"),
    path("videos/<int:video_id>/poster/", views.PosterView.as_view(), name="video-poster"),
]
