"""`{{ pk|case_url }}` gives the address `{% url 'cases:victim_detail' pk %}` gives, also under a script prefix."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, reverse, set_script_prefix

from tracker.templatetags.case_urls import case_url_of


@pytest.mark.parametrize("pk", [1, 7, 42, 987654321, "15"])
def test_the_case_address_is_the_reversed_one(pk):
    assert case_url_of(pk) == reverse("cases:victim_detail", args=[pk])


def test_under_a_script_prefix_the_address_carries_it():
    set_script_prefix("/homeward/")
    try:
        shown = Template("{% load case_urls %}{{ pk|case_url }}").render(Context({"pk": 12}))
        assert shown == reverse("cases:victim_detail", args=[12]) == "/homeward/cases/12/"
    finally:
        clear_script_prefix()
    assert case_url_of(12) == "/cases/12/"


def test_a_value_that_is_not_an_id_is_refused():
    with pytest.raises(ValueError):
        case_url_of("12/../admin")
