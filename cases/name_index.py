"""One name index for search, the intake duplicate check and list matching: keyed digests, never a name.

Each victim's full name and the names used in the compound are read by `core.names` into keys (see
`core.names.keys`: t: name parts and joins, n: whole name in any order, p:/c: pairs for list matching) plus one
l: key per part, its spelling-tolerant form (Somphong = Sompong, Rakdi = Rakdee), and f: keys for the first 3 to 8
letters of each part, so a search can be typed short ("nguy thi"). Every key is stored as an HMAC
digest under BLIND_INDEX_KEY, separated by organisation (`core.crypto.blind_digest`), so the table says nothing
about a name to someone without the key.

Kept in sync on every save of a victim (post_save) and by `index_victims()` for bulk inserts (demo/bulk.py).
`QuerySet.update()` of a name bypasses it: `manage.py rotate_encryption_keys --reindex` rebuilds it all.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain

from django.db import connection, models, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from accounts.scoping import OrganizationOwned
from core import crypto
from core.names import keys, parse
from core.names.normalise import loose

PURPOSE = "name"
NAME_FIELDS = ("full_name", "names_in_compound")
NAME_SEPARATORS = re.compile(r"[\n\r,;]+")  # the names used in the compound: one per line or comma-separated
CANDIDATE_KINDS = ("p", "c")  # pairs of parts, exact and on consonant skeletons (core.names.keys)
PREFIX_LENGTHS = range(3, 9)  # f: keys, so "synth" finds "Synthetic"; shorter typed parts must be whole
DEFAULT_BATCH_SIZE = 500


class NameKey(OrganizationOwned):
    """One keyed digest of one name key of one victim. No name, no part of one: only HMAC digests."""

    class Kind(models.TextChoices):
        TOKEN = "t", _("name part")
        LOOSE = "l", _("name part, spelling-tolerant")
        PREFIX = "f", _("start of a name part")
        NAME = "n", _("whole name, any order")
        PAIR = "p", _("pair of name parts")
        CONSONANTS = "c", _("pair of name parts, consonants")

    # No index of its own: the unique (victim, digest) constraint serves lookups by victim.
    victim = models.ForeignKey("cases.Victim", on_delete=models.CASCADE, related_name="name_keys", db_index=False)
    kind = models.CharField(max_length=1, choices=Kind)
    digest = models.CharField(max_length=crypto.DIGEST_HEX_CHARS)

    class Meta:
        app_label = "cases"
        verbose_name = _("name index key")
        verbose_name_plural = _("name index keys")
        constraints = [models.UniqueConstraint(fields=["victim", "digest"], name="namekey_unique_victim_digest")]
        # (organisation, digest, victim): a lookup is an index-only scan that yields the victims directly.
        indexes = [models.Index(fields=["organization", "digest", "victim"], name="namekey_org_digest_victim")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.victim_id}"


# --- Keys ------------------------------------------------------------------------------------------------------


def _digest(organization_id: int, key: str) -> str:
    return crypto.blind_digest(purpose=PURPOSE, organization_id=organization_id, value=key)


def plain_keys(name: str) -> set[str]:
    """Every key of one name: core.names.keys, an l: key (loose spelling) for each part and join, and f: keys
    for the starts of each part (3 to 8 letters)."""
    found = keys(name)
    parts = [key[2:] for key in found if key.startswith("t:")]
    found |= {f"l:{loose(part)}" for part in parts}
    found |= {f"f:{part[:n]}" for part in parts for n in PREFIX_LENGTHS if n < len(part)}
    return found


def names_of(full_name: str, names_in_compound: str = "") -> list[str]:
    return [n for n in [full_name or "", *NAME_SEPARATORS.split(names_in_compound or "")] if n.strip()]


def keyed(organization_id: int, names: Iterable[str]) -> dict[str, str]:
    """digest -> kind for the keys of some names."""
    return {_digest(organization_id, key): key[0] for key in chain.from_iterable(plain_keys(name) for name in names)}


def digests_for(organization_id: int, name: str) -> set[str]:
    """The digests the index holds for a victim named `name` in this organisation (every kind)."""
    return set(keyed(organization_id, [name]))


def _victim_digests(victim) -> dict[str, str]:
    if getattr(victim, "redacted_at", None):  # a redacted case keeps no name, so no keys
        return {}
    return keyed(victim.organization_id, names_of(victim.full_name, victim.names_in_compound))


# --- Keeping it in sync ----------------------------------------------------------------------------------------


def index_victim(victim, *, using: str | None = None) -> None:
    """Make the victim's stored keys exactly those of its current names (insert the new, delete the gone)."""
    using = using or victim._state.db or "default"
    wanted = _victim_digests(victim)
    manager = NameKey.objects.db_manager(using)
    with transaction.atomic(using=using):
        stored = set(manager.filter(victim_id=victim.pk).values_list("digest", flat=True))
        gone = stored - set(wanted)
        if gone:
            manager.filter(victim_id=victim.pk, digest__in=gone).delete()
        manager.bulk_create(
            [
                NameKey(organization_id=victim.organization_id, victim_id=victim.pk, kind=kind, digest=digest)
                for digest, kind in wanted.items()
                if digest not in stored
            ],
            batch_size=1000,
        )


def index_victims(victims: Iterable, *, using: str = "default", replace: bool = True, key_model=None) -> int:
    """Index many saved victims at once (bulk inserts, rebuilds); returns the number of keys written.

    With `replace`, their old keys are deleted first; new rows (bulk_create) can pass replace=False.
    `key_model` is NameKey, or its historical version in a migration.
    """
    key_model = key_model or NameKey
    victims = list(victims)
    if not victims:
        return 0
    rows = [
        key_model(organization_id=victim.organization_id, victim_id=victim.pk, kind=kind, digest=digest)
        for victim in victims
        for digest, kind in _victim_digests(victim).items()
    ]
    manager = key_model._base_manager.db_manager(using)
    with transaction.atomic(using=using):
        if replace:
            manager.filter(victim_id__in=[victim.pk for victim in victims]).delete()
        manager.bulk_create(rows, batch_size=2000)
    return len(rows)


@receiver(post_save, sender="cases.Victim", dispatch_uid="name-index:cases.Victim")
def _victim_saved(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    if raw:
        return
    if update_fields is not None and not {*NAME_FIELDS, "redacted_at"} & set(update_fields):
        return  # a status change, an assignment: the names did not change
    index_victim(instance, using=kwargs.get("using"))


def rebuild(
    *, using: str = "default", batch_size: int = DEFAULT_BATCH_SIZE, on_batch=None, victim_model=None, key_model=None
) -> tuple[int, int]:
    """Recompute every victim's keys with the current BLIND_INDEX_KEY, in batches by primary key.

    Each batch locks its victims (PostgreSQL), so a concurrent save waits and then writes current keys too.
    Resumable: stopping halfway leaves every batch either old or new, and running it again redoes all.
    Returns (victims seen, keys written). A migration passes its historical models.
    """
    from .models import Victim

    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    manager = (victim_model or Victim)._base_manager.db_manager(using)
    seen = written = 0
    last_pk = 0
    fields = ("pk", "organization_id", "redacted_at", *NAME_FIELDS)
    while True:
        with transaction.atomic(using=using):
            batch = list(manager.filter(pk__gt=last_pk).order_by("pk").select_for_update().only(*fields)[:batch_size])
            if not batch:
                return seen, written
            written += index_victims(batch, using=using, key_model=key_model)
        seen += len(batch)
        last_pk = batch[-1].pk
        if on_batch:
            on_batch(len(batch))


def count_victims(*, using: str = "default") -> int:
    from .models import Victim

    return Victim._base_manager.db_manager(using).count()


# --- Lookups ---------------------------------------------------------------------------------------------------


def candidates(organization_id: int, name: str, *, min_shared: int | None = None) -> dict[int, int]:
    """Victims sharing pair keys (p:/c:) with `name`, and how many: candidate generation for list matching.

    Never a cross product: one index lookup per name. Score the candidates with core.names.score.
    `min_shared` defaults to 1; a higher value keeps only victims that share more pairs.
    """
    return dict(candidates_for_names(organization_id, [name], min_shared=min_shared))


def candidates_for_names(
    organization_id: int, names: Iterable[str], *, min_shared: int | None = None, limit: int | None = None
) -> list[tuple[int, int]]:
    """(victim id, pair keys shared) for any of `names`, most shared first, in one query; at most `limit`."""
    wanted = [d for d, kind in keyed(organization_id, names).items() if kind in CANDIDATE_KINDS]
    if not wanted:
        return []
    rows = (
        NameKey.objects.filter(organization_id=organization_id, digest__in=wanted)
        .values("victim_id")
        .annotate(shared=Count("id"))
        .filter(shared__gte=min_shared or 1)
        .order_by("-shared", "-victim_id")
        .values_list("victim_id", "shared")
    )
    return list(rows[:limit] if limit is not None else rows)


def _pair_digests(organization_id: int, name: str) -> list[str]:
    """The digests of a name's pair keys (p:/c:), the only kinds candidate generation looks up."""
    return sorted({_digest(organization_id, key) for key in keys(name) if key[0] in CANDIDATE_KINDS})


def candidates_for_each(
    organization_id: int, names: Sequence[str], *, limit: int, min_shared: int | None = None
) -> list[list[tuple[int, int]]]:
    """For each of `names`, its (victim id, pair keys shared): the `limit` victims sharing most, most shared
    first, then by id, as `candidates()` would find them one name at a time.

    One query for all the names (a chunk of a list): the victims holding any of their pair digests, an index-only
    scan of (organisation, digest, victim). The counting and ranking happen here, so the query sorts and groups
    nothing and its plan does not hang on the table's statistics (a grouped query spilled to disk and, on a
    table never analysed, read the whole organisation's index; docs/performance.md).
    """
    distinct = {name: _pair_digests(organization_id, name) for name in dict.fromkeys(names)}
    holders = _victims_holding(organization_id, {digest for digests in distinct.values() for digest in digests})
    found = {}
    for name, digests in distinct.items():
        shared = Counter(chain.from_iterable(holders.get(digest, ()) for digest in digests))
        counts = sorted(shared.values(), reverse=True)
        # Only victims sharing at least as many keys as the limit-th can be kept: sort those alone.
        least = max(min_shared or 1, counts[limit - 1] if len(counts) >= limit else 0)
        kept = sorted((-count, victim_id) for victim_id, count in shared.items() if count >= least)
        found[name] = [(victim_id, -count) for count, victim_id in kept[:limit]]
    return [found[name] for name in names]


def _victims_holding(organization_id: int, digests: set[str]) -> dict[str, list[int]]:
    """digest -> the victims whose index holds it; one query on PostgreSQL, batches within SQLite's limit."""
    wanted = sorted(digests)
    batch = 900 if connection.features.max_query_params else max(len(wanted), 1)
    holders: dict[str, list[int]] = {}
    for start in range(0, len(wanted), batch):
        rows = NameKey.objects.filter(organization_id=organization_id, digest__in=wanted[start : start + batch])
        for digest, victim_id in rows.values_list("digest", "victim_id"):
            holders.setdefault(digest, []).append(victim_id)
    return holders


def _with_joins(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The parts as typed, and each way of joining two neighbours: "Xiao Ming" also as "Xiaoming"."""
    return [tokens] + [tokens[:i] + (tokens[i] + tokens[i + 1],) + tokens[i + 2 :] for i in range(len(tokens) - 1)]


def _token_digests(organization_id: int, token: str) -> list[str]:
    """A typed part matches a part (exactly or spelling-tolerant) or, from 3 letters on, the start of one."""
    wanted = [f"t:{token}", f"l:{loose(token)}"]
    if len(token) >= PREFIX_LENGTHS.start:
        wanted.append(f"f:{token[: PREFIX_LENGTHS.stop - 1]}")
    return [_digest(organization_id, key) for key in wanted]


def search_q(organization_id: int, text: str) -> Q | None:
    """A filter on Victim: every part of `text` is a part (or the start of one) of one of the victim's names, in
    any order and script, with or without tone marks, a given name joined or not. None when `text` has no part.

    One grouped subquery over the index: the victims holding, for some way of reading the typed parts, a digest
    of each part. The database can then join only the (few) matching victims to the case list.
    """
    tokens = parse(text).tokens
    if not tokens:
        return None
    variants = [[_token_digests(organization_id, token) for token in dict.fromkeys(v)] for v in _with_joins(tokens)]
    wanted = sorted({digest for variant in variants for group in variant for digest in group})
    quote = connection.ops.quote_name
    digest, victim = quote("digest"), quote("victim_id")
    params: list = [organization_id, *wanted]
    having = []
    for variant in variants:
        every_part = []
        for group in variant:
            every_part.append(f"MAX(CASE WHEN {digest} IN ({', '.join(['%s'] * len(group))}) THEN 1 ELSE 0 END) = 1")
            params += group
        having.append("(" + " AND ".join(every_part) + ")")
    sql = (
        f"SELECT {victim} FROM {quote(NameKey._meta.db_table)} "  # noqa: S608 (names from model metadata)
        f"WHERE {quote('organization_id')} = %s AND {digest} IN ({', '.join(['%s'] * len(wanted))}) "
        f"GROUP BY {victim} HAVING {' OR '.join(having)}"
    )
    return Q(pk__in=RawSQL(sql, params))  # noqa: S611 (every value is a parameter)


def search(organization_id: int, text: str):
    """Ids of the organisation's victims whose names match `text` (see `search_q`), as a queryset of ids."""
    from .models import Victim

    condition = search_q(organization_id, text)
    victims = Victim.objects.filter(organization_id=organization_id)
    return (victims.filter(condition) if condition is not None else victims.none()).values_list("pk", flat=True)
