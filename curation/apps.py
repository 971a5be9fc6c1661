from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "curation"

    def ready(self) -> None:
        from curation.services.votes import video_detail_extras
        from videos.extensions import register_detail_extra

        # A clip's votes on its detail page, for curators (videos cannot import curation).
        register_detail_extra(video_detail_extras)
