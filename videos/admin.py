from django.contrib import admin

from videos.models import Subject, Video


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "project", "source_dataset"]
    list_filter = ["project"]
    search_fields = ["code"]


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "original_name", "status", "n_frames", "fps_num", "fps_den"]
    list_filter = ["status", "project", "source"]
    search_fields = ["original_name", "sha256"]
    readonly_fields = ["uid", "sha256", "job"]
