"""Hypothesis fuzzing of the intake, case edit and referral forms: never a crash, one whole save or nothing at all.

Each example starts from a valid submission, replaces some fields, drops others and adds fields the form does not
have. A replaced field gets either a value of its own type (a choice from its list, a date at the calendar's ends, an
id of another organisation's row, so the example gets past the form and into the services) or any hostile value:
Unicode (mostly short), long strings at the length limits and up to 100,000 characters (a minority), NUL bytes,
numbers in every spelling (huge, negative, floats, Unicode digits), impossible dates, markup and formulas, the same
field sent several times, and a file uploaded into a text field (the strategies are in `strategies.py`).

Two tiers, both run on every test run. Each example runs in a savepoint that is rolled back, so every example starts
from the same database and a failure shrinks to a reproducible one.
- test_views.py: the full views through the Django test client (middleware, form, service, template, response),
  VIEW_FUZZ_EXAMPLES per form. A server error fails with the view's traceback.
- test_forms.py: the same form classes and service calls the views make (the intake's duplicate check included),
  without the page render: FORM_FUZZ_EXAMPLES per form.
Depth from HOMEWARD_FUZZ: `quick` (the default, bin/test and CI) or `deep` (a nightly or local soak, README); the
numbers per mode are in `strategies.FUZZ_DEPTH`, and VIEW_FUZZ_EXAMPLES / FORM_FUZZ_EXAMPLES override them, e.g. for a
longer soak: `VIEW_FUZZ_EXAMPLES=5000 FORM_FUZZ_EXAMPLES=20000 bin/test tests/security/fuzzing`.
"""
