"""Rate limits per API key: the key's own "requests per minute", else API_RATE_PER_MINUTE."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerKeyThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self):
        return f"{settings.API_RATE_PER_MINUTE}/min"  # replaced per request in allow_request

    def allow_request(self, request, view):
        key = request.auth
        if key is None:
            return True  # unauthenticated requests are refused before they cost anything
        self.num_requests = key.rate_per_minute or settings.API_RATE_PER_MINUTE
        self.duration = 60
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
