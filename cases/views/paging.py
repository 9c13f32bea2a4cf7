"""Counting without scanning 200,000 rows: exact up to a cap, above it PostgreSQL's planner estimate.

Used by the case list, the request and referral lists and the case-file admin changelists.
"""

import json
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connection

COUNT_CAP = 1000


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's own estimate of how many rows a query returns (no scan). None on other databases."""
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg returns parsed JSON; other drivers may return text
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    """A Paginator whose count is exact up to `cap` rows (one query reading at most cap + 1 index entries) and,
    above it, the planner's estimate (one EXPLAIN, no scan); `estimated` says which. Databases without a planner
    estimate (SQLite, the embedded default) count exactly."""

    cap = COUNT_CAP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.estimated = False

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: self.cap + 1].count()
        if counted <= self.cap:
            return counted
        estimate = planner_estimate(self.object_list)
        if estimate is None:
            return self.object_list.count()
        self.estimated = True
        return max(estimate, self.cap + 1)
