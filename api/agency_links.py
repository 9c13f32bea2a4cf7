"""Agency response links: one signed link per referral, in the email to the agency, answered without an account.

The token (django.core.signing, its own salt) names the referral, its agency and when it was sent; it expires after
API_AGENCY_LINK_DAYS (default 14). It stops working when the referral closes, and when the referral no longer
matches what the link was issued for (another agency, sent again): such a link was forwarded or is stale.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.trail import AuditEntry, AuditMiddleware
from cases import services, signals
from cases.models import AgencyReferral
from cases.models.requests import CLOSED_REFERRAL_STATUSES
from tracker import outbox
from tracker.models import OutboxMessage

SALT = "api.agency-response"
AGENCY_ANSWERS = (
    AgencyReferral.Status.ACKNOWLEDGED,
    AgencyReferral.Status.ACTING,
    AgencyReferral.Status.COMPLETED,
    AgencyReferral.Status.DECLINED,
)


def link_lifetime() -> timedelta:
    return timedelta(days=settings.API_AGENCY_LINK_DAYS)


def make_token(referral: AgencyReferral) -> str:
    return signing.dumps({"r": referral.pk, "a": referral.agency_id, "s": int(referral.sent_at.timestamp())}, salt=SALT)


def response_link(referral: AgencyReferral) -> str:
    return settings.SITE_URL + reverse("api:agency_response", kwargs={"token": make_token(referral)})


@dataclass
class LinkCheck:
    referral: AgencyReferral | None
    problem: str = ""  # "", "tampered", "expired", "forwarded", "closed"


def check_token(token: str) -> LinkCheck:
    """Which referral a token opens, or why it opens none. Never raises for a bad token."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        return LinkCheck(None, "expired")
    except signing.BadSignature:
        return LinkCheck(None, "tampered")
    if not isinstance(claims, dict) or not {"r", "a", "s"} <= set(claims):
        return LinkCheck(None, "tampered")
    referral = AgencyReferral.objects.select_related("victim", "agency", "organization").filter(pk=claims["r"]).first()
    if referral is None or referral.sent_at is None:
        return LinkCheck(None, "tampered")
    if referral.agency_id != claims["a"] or int(referral.sent_at.timestamp()) != claims["s"]:
        return LinkCheck(None, "forwarded")
    if referral.status in CLOSED_REFERRAL_STATUSES:
        return LinkCheck(referral, "closed")
    return LinkCheck(referral)


def audit_use(request, referral: AgencyReferral | None, *, action: str, problem: str = "") -> None:
    """Every opening and answer through a link is in the audit trail (no token, no content)."""
    if referral is None:
        return  # a tampered token names no row we can trust; the refused-access log has the request
    AuditEntry.objects.log_create(
        referral,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        changes=None,
        actor=None,
        actor_email=None,
        remote_addr=AuditMiddleware._get_remote_addr(request),
        additional_data={"view": "agency_link", "action": action, "problem": problem, "agency_id": referral.agency_id},
    )


# --- The email to the agency ----------------------------------------------------------------------------------


def _agency_email(referral: AgencyReferral) -> tuple[str, str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "referral": referral,
            "organization": referral.organization,
            "agency": referral.agency,
            "case_number": referral.victim.case_number,
            "response_url": response_link(referral),
            "expires_on": referral.sent_at + link_lifetime(),
        }
        text = render_to_string("api/agency_referral_email.txt", context)
        subject = _("Referral %(case)s from %(organization)s") % {
            "case": referral.victim.case_number,
            "organization": referral.organization.name,
        }
    return subject, text, ""


def on_referral_sent(sender, referral: AgencyReferral, **kwargs) -> None:
    """Queue the referral email to the agency (when it has a referral address), carrying its response link."""
    referral = AgencyReferral.objects.select_related("victim", "agency", "organization").get(pk=referral.pk)
    if not referral.agency.email:
        return
    subject, text, html = _agency_email(referral)
    outbox.enqueue(
        [
            outbox.Draft(
                organization_id=referral.organization_id,
                kind=OutboxMessage.Kind.AGENCY_REFERRAL,
                dedupe_key=f"agency-referral:{referral.pk}:{int(referral.sent_at.timestamp())}",
                recipient_id=None,
                recipient_email=referral.agency.email,
                subject=subject,
                body_text=text,
                body_html=html,
                about=referral,
            )
        ],
        now=timezone.now(),
    )


def connect() -> None:
    signals.referral_sent.connect(on_referral_sent, dispatch_uid="api.agency_links.referral_sent")


@transaction.atomic
def record_agency_answer(
    *, referral: AgencyReferral, status: str, note: str, agency_reference: str, decline_reason: str
) -> AgencyReferral:
    """The agency's answer through its link: the referral's response (which ends the chase) and a timeline note."""
    if status not in AGENCY_ANSWERS:
        raise ValidationError({"status": _("Choose acknowledged, acting, completed or declined.")})
    referral = services.referral_record_response(
        referral=referral,
        status=status,
        recorded_by=None,
        agency_reference=agency_reference,
        note=note,
        decline_reason=decline_reason,
        via="agency_link",
    )
    body = _("%(agency)s answered through its response link: %(status)s.") % {
        "agency": referral.agency.name,
        "status": referral.get_status_display(),
    }
    details = "\n".join(filter(None, [note.strip(), decline_reason.strip()]))
    services.case_note_add(
        victim=referral.victim,
        author=None,
        body=f"{body}\n{details}" if details else body,
        kind="agency_update",
    )
    return referral
