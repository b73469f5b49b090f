from django.urls import include, path

from frontline.core.views import healthz

# An error outside any view (a session saved on the way out) while the database is
# away is a 503 with Retry-After too; any other is Django's 500 page.
handler500 = "frontline.core.middleware.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("frontline.api.urls")),
    # Providers' inbound webhooks (django-anymail), refused until a secret is configured.
    path("mail/inbound/", include("frontline.mail.webhooks")),
    # Customers' no-login ticket pages (signed, expiring links).
    path("my/", include("frontline.portal.urls")),
    # The public request form: /request, its questions part and its confirmation.
    path("", include("frontline.portal.request.urls")),
    path("", include("frontline.desk.urls")),
]
