"""Account emails through the outbox: password links and two-factor reset notices (signals from accounts).

A password link is made when the email is sent (`outbox.RENDERED_AT_SEND`): the row stores only who it is for,
so a database dump or the outbox admin never holds a link that opens someone's account. Each request is its own
row (the dedupe key carries the moment), and delivery is queued once the row is committed.
"""

import logging
import uuid

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from accounts.signals import password_reset_requested, two_factor_reset_notice

from . import outbox
from .links import site_link
from .models import OutboxMessage

logger = logging.getLogger(__name__)
PLACEHOLDER = "(The link is made when this email is sent and is not stored.)"


def _organization_of(user: User) -> int | None:
    return Membership.objects.filter(user=user).order_by("pk").values_list("organization_id", flat=True).first()


def _queue(draft: outbox.Draft, *, now) -> None:
    outbox.enqueue([draft], now=now)
    ids = list(OutboxMessage.objects.filter(dedupe_key=draft.dedupe_key).values_list("pk", flat=True))

    def deliver():
        from .tasks import deliver_outbox

        try:
            deliver_outbox.delay(message_ids=ids)
        except Exception as error:  # the broker is down: the periodic delivery sends the row within minutes
            logger.warning("outbox: could not queue delivery of %s now: %s", ids, type(error).__name__)

    transaction.on_commit(deliver)


def password_link_email(message: OutboxMessage) -> tuple[str, str]:
    """Subject and body of a password email, with a fresh link (Django's one-use, time-limited token)."""
    user = User.objects.get(pk=message.recipient_id)
    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"reset_url": site_link(path)}
    subject = render_to_string("registration/password_reset_subject.txt", context).strip()
    return " ".join(subject.split()), render_to_string("registration/password_reset_email.txt", context)


outbox.RENDERED_AT_SEND[OutboxMessage.Kind.PASSWORD_RESET] = password_link_email


@receiver(password_reset_requested, dispatch_uid="tracker-password-link")
def queue_password_link(sender, user: User, now, **kwargs):
    subject = _("Homeward: choose a new password")  # the stored subject; the one sent is rendered at send time
    _queue(
        outbox.Draft(
            organization_id=_organization_of(user),
            kind=OutboxMessage.Kind.PASSWORD_RESET,
            dedupe_key=f"password:{user.pk}:{uuid.uuid4().hex}",  # each request is its own email
            recipient_id=user.pk,
            recipient_email=user.email,
            subject=subject,
            body_text=PLACEHOLDER,
            about=user,
        ),
        now=now,
    )


@receiver(two_factor_reset_notice, dispatch_uid="tracker-two-factor-notice")
def queue_two_factor_notice(sender, reset, now, **kwargs):
    from django.conf import settings

    user = reset.user
    subject = (
        _("Homeward: your two-factor sign-in was reset")
        if reset.status == reset.Status.DONE
        else _("Homeward: an admin asked to reset your two-factor sign-in")
    )
    body = render_to_string("registration/two_factor_reset_email.txt", {"reset": reset, "site_url": settings.SITE_URL})
    _queue(
        outbox.Draft(
            organization_id=reset.organization_id,
            kind=OutboxMessage.Kind.SECURITY_NOTICE,
            dedupe_key=f"two-factor-reset:{reset.pk}:{reset.status}",
            recipient_id=user.pk,
            recipient_email=user.email,
            subject=subject,
            body_text=body,
            about=reset,
        ),
        now=now,
    )
