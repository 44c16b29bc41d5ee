"""The gateway integration tests' fixtures, shared here."""

from tests.integration.gateway.conftest import person

__all__ = ["person"]
