"""The weekly digest: what each member should know, rendered without personal data, sent once per ISO week.

A member is due a digest when the organisation's digest weekday and hour (in its time zone) has come since the
last digest slot handled for them, and that slot lies in an ISO week they have not had a digest for. A member
without a checkpoint (new, or a fresh installation) is due the most recent slot right away: they get this
week's digest now instead of waiting up to seven days. A scheduler that was down for days finds only the
latest slot, so it catches up once.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property

from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Membership, Organization
from accounts.permissions import Action, membership_can
from cases.models import RescueRequest, VictimStatusChange
from cases.models.requests import OPEN_REQUEST_STATUSES

from .calendar import iso_week_key, latest_digest_slot
from .digest_facts import facts as _facts
from .digest_facts import team_facts as _team_facts
from .links import case_link
from .models import DigestCheckpoint, OutboxMessage
from .outbox import Draft, enqueue, render_email
from .sweeps import Planned, SweepResult

CHUNK = 200  # members per transaction of a digest run


@dataclass(frozen=True)
class CaseLine:
    """One row in a digest section: a case number and what to say about it. Never a name or a place."""

    case_number: str
    url: str
    detail: str = ""
    when: datetime | None = None


@dataclass(frozen=True)
class Section:
    count: int
    lines: list[CaseLine]
    tz: tzinfo = UTC  # the organisation's time zone, for the dates shown
    memo: dict = field(default_factory=dict, compare=False, repr=False)  # dates already shown, in this language

    @property
    def more(self) -> int:
        return max(self.count - len(self.lines), 0)

    # The rows of a section, written here rather than in a template loop: a digest has up to 50 per section and
    # the loop was most of a digest's rendering time. Exactly what templates/emails/_section.* wrote before.

    @cached_property
    def _dates(self) -> list[str]:
        return [shown_date(line.when, self.tz, memo=self.memo) if line.when else "" for line in self.lines]

    @cached_property
    def text_lines(self) -> str:
        return "".join(
            f"- {line.case_number}{f': {line.detail}' if line.detail else ''}"
            f"{f' ({date})' if line.when else ''} {line.url}\n"
            for line, date in zip(self.lines, self._dates, strict=True)
        )

    @cached_property
    def html_lines(self) -> str:
        return mark_safe(  # noqa: S308 - every value below is escaped
            "".join(
                f'<tr style="border-bottom:1px solid #eef0f3;">\n'
                f'<td style="white-space:nowrap;"><a href="{escape(line.url)}" style="color:#1d3557;font-weight:bold;">'
                f"{escape(line.case_number)}</a></td>\n"
                f"<td>{escape(line.detail)}</td>\n"
                f'<td style="white-space:nowrap;color:#66707a;">{escape(date)}</td>\n'
                f"</tr>"
                for line, date in zip(self.lines, self._dates, strict=True)
            )
        )


def shown_date(moment: datetime, tz: tzinfo, *, memo: dict) -> str:
    """`moment|timezone:tz|date:"DATE_FORMAT"` in the active language, as the section templates showed it.

    Formatted once per local day (`memo`: this language's, kept by a run), unless the format shows a time."""
    local = timezone.localtime(moment, tz)
    day = ("date", local.date())
    if day not in memo:
        try:
            memo[day] = formats.date_format(local.date(), "DATE_FORMAT")
        except TypeError:  # a date format with the time in it: each moment its own
            return formats.date_format(local, "DATE_FORMAT")
    return memo[day]


def overdue_by(request: RescueRequest, *, now: datetime) -> str:
    return _overdue_by_days(request.days_overdue(now=now))


def _overdue_by_days(days: int) -> str:
    if days == 0:
        return _("overdue since today")
    return ngettext("%(days)s day overdue", "%(days)s days overdue", days) % {"days": days}


def _days_overdue(row, *, now: datetime) -> int:
    """RescueRequest.days_overdue of a row read as a record."""
    if row.status not in OPEN_REQUEST_STATUSES or row.next_follow_up_at is None or row.next_follow_up_at >= now:
        return 0
    return (now - row.next_follow_up_at).days


def _shown(model, name: str, row) -> str:
    """The model's get_<name>_display() for a row read as a record, in the active language."""
    value = getattr(row, name)
    return force_str(dict(make_hashable(model._meta.get_field(name).flatchoices)).get(value, value), strings_only=True)


def _section(facts: tuple[int, list], line, *, tz: tzinfo, memo: dict) -> Section:
    count, rows = facts
    return Section(count=count, lines=[line(row) for row in rows], tz=tz, memo=memo)


def _context(
    *, organization: Organization, facts: dict, team: dict | None, now: datetime, words: dict | None = None
) -> dict:
    """A digest's template context from its facts, in the active language (the lines' details are words).

    `words`: the details already said in this language (kept by a run for its next members, which share most).
    """
    request_counts = facts["request_counts"]
    missing = facts["missing_in_transit"]
    tz = organization.tzinfo
    words = {} if words is None else words

    def section(rows, line) -> Section:
        return _section(rows, line, tz=tz, memo=words)

    def said(key: tuple, say) -> str:
        if key not in words:
            words[key] = say()
        return words[key]

    context = {
        "organization": organization,
        "timezone": organization.timezone,
        "is_supervisor": team is not None,
        "now": now,
        "week_start": now - timedelta(days=7),
        "request_counts": request_counts,
        "overdue": section(
            facts["overdue"],
            lambda r: CaseLine(
                r.case_number,
                case_link(r.victim_id),
                said(
                    ("overdue", _days_overdue(r, now=now), r.priority),
                    lambda: f"{_overdue_by_days(_days_overdue(r, now=now))}, {_shown(RescueRequest, 'priority', r)}",
                ),
                r.next_follow_up_at,
            ),
        ),
        "awaiting": section(
            facts["awaiting"],
            lambda r: CaseLine(r.case_number, case_link(r.victim_id), _("response due"), r.response_due_at),
        ),
        "new_cases": section(facts["new_cases"], lambda v: CaseLine(v.case_number, case_link(v.pk), "", v.created_at)),
        "status_changes": section(
            facts["status_changes"],
            lambda c: CaseLine(
                c.case_number,
                case_link(c.victim_id),
                said(
                    ("change", c.from_status, c.to_status),
                    lambda: (
                        f"{_shown(VictimStatusChange, 'from_status', c)} → {_shown(VictimStatusChange, 'to_status', c)}"
                    ),
                ),
                c.changed_at,
            ),
        ),
        "silent": section(
            facts["silent"],
            lambda v: CaseLine(
                v.case_number,
                case_link(v.pk),
                _("last contact") if v.last_contact_at else _("no contact recorded"),
                v.last_contact_at,
            ),
        ),
        "missing_in_transit": missing,
    }
    nothing = not any(
        [
            request_counts["open"],
            *(context[name].count for name in ("awaiting", "new_cases", "status_changes", "silent")),
            missing,
        ]
    )
    if team is not None:
        context["escalations"] = section(
            team["escalations"],
            lambda r: CaseLine(
                r.case_number,
                case_link(r.victim_id),
                _shown(RescueRequest, "status", r)
                if r.status not in OPEN_REQUEST_STATUSES
                else _overdue_by_days(_days_overdue(r, now=now)),
                r.next_follow_up_at,
            ),
        )
        context["team"] = team["team"]
        context["unassigned"] = team["unassigned"]
        context["homecoming"] = team["homecoming"]
        home = team["homecoming"]
        on_the_way_home = any(count for _label, count in home["stages"]) or bool(home["batches"])
        nothing = nothing and not context["escalations"].count and not any(context["unassigned"].values())
        nothing = nothing and not on_the_way_home
    context["nothing_this_week"] = nothing
    return context


class DigestRun:
    """The digests of some members of one organisation, from facts read for all of them at once.

    A fixed number of queries whatever the number of members: each member's own work (members without the team
    view) grouped by member in one query per section, and the whole organisation's once (supervisors). Supervisors'
    digests are the same for all of them but for the language, so each is rendered once per language.
    """

    def __init__(self, *, organization: Organization, memberships: list[Membership], now: datetime, week: str):
        self.organization, self.now, self.week = organization, now, week
        own = [m.user_id for m in memberships if not membership_can(m, Action.VIEW_TEAM)]
        supervisors = any(membership_can(m, Action.VIEW_TEAM) for m in memberships)
        self.facts = _facts(organization=organization, now=now, owners=own) if own else {}
        self.team = None
        if supervisors:
            self.facts.update(_facts(organization=organization, now=now, owners=None))
            self.team = _team_facts(organization=organization, now=now)
        self._rendered: dict[str, tuple[str, str, str]] = {}  # supervisors', by language
        self._words: dict[str, dict] = {}  # details of lines, by language

    def context(self, membership: Membership) -> dict:
        """The member's template context, in the active language."""
        is_supervisor = membership_can(membership, Action.VIEW_TEAM)
        context = _context(
            organization=self.organization,
            facts=self.facts[None if is_supervisor else membership.user_id],
            team=self.team if is_supervisor else None,
            now=self.now,
            words=self._words.setdefault(translation.get_language(), {}),
        )
        context["member_name"] = membership.user.display_name
        return context

    def render(self, membership: Membership) -> tuple[str, str, str]:
        """Subject, plain text and HTML of the member's digest, in their language, dates in the organisation's time
        zone."""
        language = membership.user.preferred_language
        is_supervisor = membership_can(membership, Action.VIEW_TEAM)
        if is_supervisor and language in self._rendered:
            return self._rendered[language]
        with translation.override(language), timezone.override(self.organization.tzinfo):
            context = self.context(membership)
            context["week"] = self.week
            template = "digest_supervisor" if is_supervisor else "digest_caseworker"
            text, html = render_email(template=template, context=context)
            subject = _("Homeward weekly digest, %(week)s – %(organization)s") % {
                "week": self.week,
                "organization": self.organization.name,
            }
        if is_supervisor:
            self._rendered[language] = (subject, text, html)
        return subject, text, html


def digest_context(*, membership: Membership, now: datetime) -> dict:
    """Everything one member's digest shows, scoped to what they may see; a fixed number of queries."""
    run = DigestRun(organization=membership.organization, memberships=[membership], now=now, week="")
    return run.context(membership)


def render_digest(*, membership: Membership, now: datetime, week: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one member's digest (a run of one; sweep_digests renders many at once)."""
    return DigestRun(organization=membership.organization, memberships=[membership], now=now, week=week).render(
        membership
    )


def digest_due(*, checkpoint: DigestCheckpoint | None, slot: datetime, week: str) -> bool:
    """Due if this slot is newer than the last one handled and falls in a week without a digest."""
    if checkpoint is None:
        return True
    return slot > checkpoint.last_slot_at and week != checkpoint.last_week


def sweep_digests(*, now: datetime, dry_run: bool = False, organization: Organization | None = None) -> SweepResult:
    """Queue the weekly digest for every member whose organisation's digest time has come since their last one.

    Per organisation, the due members go in chunks of CHUNK: their facts read at once (DigestRun), their
    emails inserted by one `enqueue` and their checkpoints moved in the same transaction. A run that stops
    half way has queued whole chunks, each with its checkpoints; the next run does the rest (and the dedupe
    key would refuse a second copy of any email anyway).
    """
    result = SweepResult(planned=[] if dry_run else None)
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    for org in organizations:
        slot = latest_digest_slot(organization=org, now=now)
        week = iso_week_key(moment=slot, organization=org)
        checkpoints = {c.user_id: c for c in DigestCheckpoint.objects.filter(organization=org)}
        members = (
            Membership.objects.filter(
                organization=org, is_active=True, user__is_active=True, user__receives_digest=True
            )
            .select_related("user", "organization")
            .order_by("pk")
        )
        due = [m for m in members if digest_due(checkpoint=checkpoints.get(m.user_id), slot=slot, week=week)]
        result.found += len(due)
        if dry_run:
            result.planned.extend(Planned("digest", week, m.user_id) for m in due)
            result.queued += len(due)
            continue
        for start in range(0, len(due), CHUNK):
            result.queued += _queue_digests(
                organization=org, memberships=due[start : start + CHUNK], now=now, slot=slot, week=week
            )
    return result


def _queue_digests(
    *, organization: Organization, memberships: list[Membership], now: datetime, slot: datetime, week: str
) -> int:
    """Render and queue these members' digests and move their checkpoints, in one transaction."""
    run = DigestRun(organization=organization, memberships=memberships, now=now, week=week)
    drafts = []
    for membership in memberships:
        subject, text, html = run.render(membership)
        drafts.append(
            Draft(
                organization_id=organization.pk,
                kind=OutboxMessage.Kind.DIGEST,
                dedupe_key=f"digest:{organization.pk}:{membership.user_id}:{week}",
                recipient_id=membership.user_id,
                recipient_email=membership.user.email,
                subject=subject,
                body_text=text,
                body_html=html,
                about=membership,
                due_at=slot,
            )
        )
    with transaction.atomic():
        queued = enqueue(drafts, now=now)
        DigestCheckpoint.objects.bulk_create(
            [
                DigestCheckpoint(user_id=m.user_id, organization=organization, last_slot_at=slot, last_week=week)
                for m in memberships
            ],
            update_conflicts=True,
            unique_fields=["user", "organization"],
            update_fields=["last_slot_at", "last_week", "updated_at"],
        )
    return queued
