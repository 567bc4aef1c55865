"""Every way a user configures a store reaches the real backend, and lands where it says."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.checks import round_trip
from tests.integration.conftest import Backend

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("way", ["file", "env", "runtime"])
def test_round_trip(backend: Backend, way: str, configure: Callable[..., None]) -> None:
    configure(way, "lab", backend.spec(), tuple(backend.secrets))
    round_trip(
        "lab", backend.server, root=backend.root, location=backend.location, scheme=backend.scheme
    )
