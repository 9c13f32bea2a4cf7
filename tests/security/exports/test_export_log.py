"""Every export writes its row in the append-only data-access log, which org admins see in the admin."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import DataAccessLog
from tests.factories import sign_in_verified
from tests.security.exports.support import (
    CLIENT_IP,
    EVERY_DOWNLOAD,
    download,
    signed_in,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url_name", "fmt"), EVERY_DOWNLOAD)
def test_every_export_writes_its_log_row(org_a, org_b, case_files, url_name, fmt):
    user = org_a.org_admin
    download(signed_in(user, org_a.organization), url_name, fmt)

    entry = DataAccessLog.objects.get()
    assert entry.user == user
    assert entry.organization == org_a.organization
    assert entry.ip_address == CLIENT_IP
    assert entry.detail["format"] == fmt
    if url_name == "cases:export_statistics":
        assert entry.kind == DataAccessLog.Kind.STATISTICS
        assert entry.object_count == 1  # org A's one case; org B's is not counted
    else:
        assert entry.kind == DataAccessLog.Kind.EXPORT
        assert entry.detail["dataset"] == url_name.removeprefix("cases:export_")
        assert entry.object_count == 1


def test_the_log_is_append_only(org_a, case_files):
    download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims")
    entry = DataAccessLog.objects.get()
    from audit.models import AppendOnlyError

    entry.object_count = 0
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        DataAccessLog.objects.filter(pk=entry.pk).update(object_count=0)
    with pytest.raises(AppendOnlyError):
        DataAccessLog.objects.all().delete()
    assert DataAccessLog.objects.get().object_count == 1


def test_org_admins_see_their_log_in_the_admin_but_cannot_change_or_delete_it(org_a, org_b, case_files):
    download(signed_in(org_a.supervisor, org_a.organization), "cases:export_victims")
    download(signed_in(org_b.supervisor, org_b.organization), "cases:export_victims")
    own, others = (
        DataAccessLog.objects.get(organization=org_a.organization),
        DataAccessLog.objects.get(organization=org_b.organization),
    )
    org_a.org_admin.is_staff = True
    org_a.org_admin.save()
    client = sign_in_verified(Client(), org_a.org_admin)

    changelist = client.get(reverse("admin:audit_dataaccesslog_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:audit_dataaccesslog_change", args=[own.pk]) in changelist.content.decode()
    assert reverse("admin:audit_dataaccesslog_change", args=[others.pk]) not in changelist.content.decode()
    assert client.get(reverse("admin:audit_dataaccesslog_change", args=[others.pk])).status_code in (302, 403, 404)
    assert client.post(reverse("admin:audit_dataaccesslog_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:audit_dataaccesslog_change", args=[own.pk]), {}).status_code == 403
    assert DataAccessLog.objects.count() == 2
