from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import spa_index

api_v1 = [
    path("", include("core.api.urls")),
    path("", include("videos.api.urls")),
    path("", include("annotation.api.urls")),
    path("", include("curation.api.urls")),
    path("", include("inference.api.urls")),
]

handler400 = "core.api.exceptions.bad_request"
handler404 = "core.api.exceptions.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its settings script from /api/docs/?script=, so that the page's
    # Content-Security-Policy needs no inline script (core/middleware.py).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # Everything else is a page of the single-page frontend.
    re_path(r"^(?!api/|admin/|static/|media/)(?P<route>.*)$", spa_index, name="frontend"),
]
