"""The demo app: installed by config/settings/dev.py and test.py only, so production has no seed_demo."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "Demo data"
