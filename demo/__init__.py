"""Synthetic demo data for `manage.py seed_demo` (a development app: only dev and test settings install it).

Two organisations, their staff, and made-up case files whose statuses, rescue requests, follow-ups, notes and
referrals carry a believable history, so the follow-up engine finds overdue work right after start-up. Nothing
here is or resembles a real person: names come from Faker (fixed seed), passport numbers start with DEMO, phone
numbers carry a trunk 0 after the country code (undiallable), messaging handles start with demo_, and private
agencies use example.org addresses.

`seeding.seed_demo()` is the entry point; `casework` plans each case file as a timeline of service calls,
`history` applies them in memory with the services' rules and writes them in bulk.
"""
