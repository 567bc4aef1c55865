"""One module per configuration source; each returns a :class:`~..layer.Layer` or None."""

from .dj_stores import DjStoresSource
from .environment import Environment, dotenv_file, read_environment
from .json_file import JsonFileSource, find_config_file, search_bounds
from .runtime import RuntimeSource
from .secrets_dir import SecretsDirSource

__all__ = [
    "DjStoresSource",
    "Environment",
    "JsonFileSource",
    "RuntimeSource",
    "SecretsDirSource",
    "dotenv_file",
    "find_config_file",
    "read_environment",
    "search_bounds",
]
