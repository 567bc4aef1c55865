"""The corpus plugin fixtures of ``tests/test_schema.py``, for the editor tests too."""

from tests.test_schema import corpus_plugin, plugin_root  # noqa: F401
