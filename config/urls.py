from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.views import spa_index

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("videos.api.urls")),
    path("", include("annotation.api.urls")),
    path("", include("curation.api.urls")),
    path("", include("inference.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Everything else is a page of the single-page frontend.
    re_path(r"^(?!api/|admin/|static/|media/)(?P<route>.*)$", spa_index, name="frontend"),
]
