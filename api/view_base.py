"""What every partner API resource shares: the key's viewer, one audit entry per request, services' errors as HTTP."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status

from accounts.permissions import Action
from audit.trail import AuditEntry, AuditMiddleware
from cases.models import StaleRecordError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone changed this record since you read it; read it again and retry."


def call_service(function, **kwargs):
    """Run a service; its ValidationError (the user's terms) becomes a 400, a stale version a 409."""
    try:
        return function(**kwargs)
    except StaleRecordError as error:
        raise Conflict() from error
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
        raise exceptions.ValidationError(detail) from error


def plain_arguments(data: dict) -> dict:
    """Serializer output to service arguments (multi-choice sets become lists)."""
    return {k: sorted(v) if isinstance(v, set) else v for k, v in data.items()}


class KeyViewMixin:
    """The key's viewer, and one audit entry per request: which key, what, from where, with what result."""

    write_action = Action.EDIT
    lookup_value_regex = r"[0-9]+"

    @property
    def viewer(self):
        if getattr(self, "swagger_fake_view", False):
            return None  # the schema generator: no rows
        return self.request.auth.as_viewer()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(request, "auth", None)
        if key is not None:
            AuditEntry.objects.log_create(
                key,
                force_log=True,
                action=AuditEntry.Action.ACCESS,
                changes=None,
                actor=None,
                actor_email=f"api-key:{key.prefix}",
                remote_addr=AuditMiddleware._get_remote_addr(request),
                additional_data={
                    "view": "api",
                    "method": request.method,
                    "path": request.path[:200],
                    "status": response.status_code,
                },
            )
        return response
