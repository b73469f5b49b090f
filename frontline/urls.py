from django.urls import include, path

from frontline.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # path("api/v1/", api.urls),  -- mounted by frontline.api
    # path("", include("frontline.desk.urls")),
]
