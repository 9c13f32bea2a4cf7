"""The SSRF guard on webhook URLs: https only, public addresses only, at save time (the admin form) and delivery."""

import pytest
from django.core.exceptions import ValidationError

from api import webhook_urls
from api.admin import WebhookSubscriptionForm

PUBLIC = "93.184.216.34"  # a public address, written as a literal: no DNS needed


@pytest.fixture(autouse=True)
def production_rules(settings):
    settings.API_WEBHOOK_ALLOW_HTTP = False
    settings.API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://127.0.0.1/hook", "loopback"),
        ("https://127.8.9.10/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://172.16.0.9/hook", "private"),
        ("https://192.168.1.1:8443/hook", "private"),
        ("https://[fd00::1]/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://[fe80::1]/hook", "link-local"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://240.0.0.1/hook", "reserved"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://localhost/hook", "loopback"),  # a host name that resolves to 127.0.0.1
    ],
)
def test_an_address_that_is_not_public_is_refused_saying_why(url, kind):
    with pytest.raises(ValidationError) as refused:
        webhook_urls.check(url)
    message = refused.value.messages[0]
    assert kind in message and "public internet addresses" in message


def test_a_public_https_address_is_accepted_with_the_address_delivery_will_use():
    target = webhook_urls.check(f"https://{PUBLIC}:8443/hooks/in?from=homeward")
    assert (target.scheme, target.host, target.port, target.address) == ("https", PUBLIC, 8443, PUBLIC)
    assert target.path == "/hooks/in?from=homeward"


def test_plain_http_is_refused_unless_the_setting_allows_it(settings):
    with pytest.raises(ValidationError, match="https://"):
        webhook_urls.check(f"http://{PUBLIC}/hook")
    settings.API_WEBHOOK_ALLOW_HTTP = True
    assert webhook_urls.check(f"http://{PUBLIC}/hook").port == 80
    with pytest.raises(ValidationError, match="https://"):
        webhook_urls.check(f"ftp://{PUBLIC}/hook")


def test_the_private_address_setting_is_what_lets_the_local_test_receiver_through(settings):
    settings.API_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert webhook_urls.check("https://127.0.0.1:9999/hook").address == "127.0.0.1"


def test_a_name_that_does_not_resolve_and_credentials_in_the_url_are_refused():
    with pytest.raises(ValidationError, match="could not be resolved"):
        webhook_urls.check("https://no-such-host.invalid/hook")
    with pytest.raises(ValidationError, match="user name and password"):
        webhook_urls.check(f"https://user:secret@{PUBLIC}/hook")


@pytest.mark.django_db
def test_the_admin_form_shows_the_reason_next_to_the_url(org_a):
    def form(url):
        data = {"organization": org_a.organization.pk, "url": url, "events": ["case.created"], "is_active": True}
        return WebhookSubscriptionForm(data=data)

    refused = form("https://localhost:8000/hook")
    assert not refused.is_valid()
    assert "localhost resolves to 127.0.0.1, a loopback address" in refused.errors["url"][0]
    plain = form(f"http://{PUBLIC}/hook")
    assert not plain.is_valid() and "Use an https:// address" in plain.errors["url"][0]
    assert form(f"https://{PUBLIC}/hook").is_valid()
