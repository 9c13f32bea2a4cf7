"""API-key authentication: `Authorization: Bearer hw_<prefix>_<secret>`. The request's viewer is the key's."""

import hmac

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiKey, hash_secret


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Finds the key by its prefix and compares digests in constant time; refuses revoked and expired keys."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme != self.keyword or not secret.startswith("hw_") or secret.count("_") < 2:
            raise exceptions.AuthenticationFailed("Send the API key as “Authorization: Bearer hw_…”.")
        prefix = secret.split("_")[1]
        key = ApiKey.objects.select_related("organization").filter(prefix=prefix).first()
        if key is None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
            raise exceptions.AuthenticationFailed("This API key is not known.")
        now = timezone.now()
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key was revoked.")
        if key.expires_at <= now:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An organisation's API key (hw_…)."}
