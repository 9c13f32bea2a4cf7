"""The lists tests use the web pages' signed-in clients."""

from tests.web.conftest import client_for  # noqa: F401
