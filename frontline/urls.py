from django.urls import include, path

from frontline.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("frontline.api.urls")),
    path("", include("frontline.desk.urls")),
]
