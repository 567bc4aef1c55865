"""DataJoint 2.3.5's settings outside the stores block, as typed pydantic models.

``datajoint.json`` configures DataJoint's database, display and jobs next to the
stores, and DataJoint silently ignores a key it does not know (``databse.host``), so
a typo survives until something misbehaves. These models state which keys DataJoint
2.3.5 reads, with its types and defaults, so the exported JSON Schema can flag the
rest. The facts are DataJoint's (``datajoint/settings.py``, ``Config`` and its groups);
the descriptions are ours. ``tests/test_schema_datajoint_settings.py`` compares them
with the JSON Schema of DataJoint 2.3.5's own models, so they cannot drift silently.

Values are typed strictly, as store keys are: DataJoint reads ``"safemode": "no"`` as
``False`` and ``"display": {"limit": "12"}`` as 12; the schema asks for the JSON
type. Nested groups and flat dotted keys (``"database.host"``) are both read by
DataJoint; :data:`FLAT_KEYS` lists the flat spellings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

__all__ = [
    "FLAT_KEYS",
    "GROUPS",
    "NOT_SETTINGS",
    "ConnectionSettings",
    "DataJointSettings",
    "DatabaseSettings",
    "DisplaySettings",
    "JobsSettings",
    "ProvenanceSettings",
    "settings_problems",
]


class _Group(BaseModel):
    """A settings group: DataJoint's groups forbid unknown keys too (when assigned)."""

    model_config = ConfigDict(extra="forbid", strict=True, hide_input_in_errors=True)


class DatabaseSettings(_Group):
    """How DataJoint connects to its database server."""

    host: StrictStr = Field(
        "localhost",
        description="Database server host name or address. DJ_HOST overrides it.",
        examples=["localhost", "db.example.org"],
    )
    user: StrictStr | None = Field(
        None,
        description="Database user name. DJ_USER or .secrets/database.user can supply it.",
        examples=["alice"],
    )
    password: SecretStr | None = Field(
        None,
        description="Credential. Keep it out of datajoint.json: put it in "
        ".secrets/database.password or in DJ_PASS.",
    )
    backend: Literal["mysql", "postgresql"] = Field(
        "mysql",
        description="Kind of database server. DJ_BACKEND overrides it.",
        examples=["postgresql"],
    )
    port: StrictInt | None = Field(
        None,
        description="Server port; null means the backend's usual port (3306 for MySQL, "
        "5432 for PostgreSQL). DJ_PORT overrides it.",
        examples=[3306, 5432],
    )
    name: StrictStr | None = Field(
        None,
        description="Database to connect to on PostgreSQL; null means 'postgres'.",
        examples=["lab"],
    )
    reconnect: StrictBool = Field(
        True, description="Reconnect automatically when the connection drops.", examples=[False]
    )
    use_tls: StrictBool | None = Field(
        None,
        description="Require TLS (true), refuse it (false), or let the driver decide (null).",
        examples=[True],
    )
    database_prefix: StrictStr = Field(
        "",
        description="Deprecated in DataJoint; use database.name instead.",
        examples=["lab_"],
    )
    create_tables: StrictBool = Field(
        True,
        description="Whether a schema creates missing tables by default; false for "
        "production deployments that must not change the database.",
        examples=[False],
    )


class ConnectionSettings(_Group):
    """Details of the database connection."""

    charset: StrictStr = Field(
        "",
        description="Character set of the connection; empty means the driver's default.",
        examples=["utf8mb4"],
    )


class DisplaySettings(_Group):
    """How query results and diagrams are shown."""

    limit: StrictInt = Field(12, description="Rows shown in a preview.", examples=[12, 50])
    width: StrictInt = Field(
        14, description="Width of a preview column, in characters.", examples=[14]
    )
    show_tuple_count: StrictBool = Field(
        True, description="Show the number of rows under a preview.", examples=[False]
    )
    diagram_direction: Literal["TB", "LR"] = Field(
        "LR",
        description="Diagram layout: top to bottom (TB) or left to right (LR).",
        examples=["TB"],
    )
    diagram_theme: Literal["light", "dark", "auto"] = Field(
        "auto",
        description="Diagram colours: light, dark, or auto (follows the viewer).",
        examples=["dark"],
    )


class JobsSettings(_Group):
    """The jobs queue that populate() uses."""

    auto_refresh: StrictBool = Field(
        True, description="Refresh the jobs queue when populate() starts.", examples=[False]
    )
    keep_completed: StrictBool = Field(
        False, description="Keep a record of each job that succeeded.", examples=[True]
    )
    stale_timeout: StrictInt = Field(
        3600,
        ge=0,
        description="Seconds after which a pending job is checked for staleness.",
        examples=[3600],
    )
    default_priority: StrictInt = Field(
        5, ge=0, le=255, description="Priority of new jobs; lower runs first.", examples=[5]
    )
    version_method: Literal["git", "none"] | None = Field(
        None,
        description="How a job records the code version: git (the commit), none (empty), "
        "or null (not recorded).",
        examples=["git"],
    )
    allow_new_pk_fields_in_computed_tables: StrictBool = Field(
        False,
        description="Allow primary-key attributes that are not foreign keys in computed and "
        "imported tables (jobs then track coarser units of work).",
        examples=[True],
    )
    add_job_metadata: StrictBool = Field(
        False,
        description="Add hidden job metadata attributes to computed and imported tables "
        "declared from now on.",
        examples=[True],
    )


class ProvenanceSettings(_Group):
    """Provenance recorded when rows enter manual tables."""

    capture: StrictBool = Field(
        False,
        description="Add and fill a hidden provenance attribute in manual tables declared "
        "from now on.",
        examples=[True],
    )
    source: dict[str, Any] = Field(
        default={},  # pydantic copies it for every instance
        description="Identity of the external source recorded on every row entered by "
        "this process.",
        examples=[{"system": "PyRat"}],
    )


class DataJointSettings(_Group):
    """Every top-level DataJoint 2.3.5 setting except ``stores``."""

    database: DatabaseSettings = Field(
        default_factory=DatabaseSettings, description="Database connection."
    )
    connection: ConnectionSettings = Field(
        default_factory=ConnectionSettings, description="Connection details."
    )
    display: DisplaySettings = Field(
        default_factory=DisplaySettings, description="Previews and diagrams."
    )
    jobs: JobsSettings = Field(default_factory=JobsSettings, description="The jobs queue.")
    provenance: ProvenanceSettings = Field(
        default_factory=ProvenanceSettings, description="Provenance of entered rows."
    )
    loglevel: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO",
        description="Level of DataJoint's log. DJ_LOG_LEVEL overrides it. DataJoint stops "
        "reading the file at an unknown level.",
        examples=["WARNING"],
    )
    safemode: StrictBool = Field(
        True, description="Ask for confirmation before deleting or dropping.", examples=[False]
    )
    ignore_config_file: StrictBool = Field(
        False,
        description="Meant for DJ_IGNORE_CONFIG_FILE; set here, the file is already read "
        "and only the secrets directory is skipped.",
        examples=[False],
    )
    query_cache: Path | None = Field(
        None,
        description="Directory for cached query results; null disables the cache.",
        examples=["/tmp/dj-cache"],
    )
    download_path: StrictStr = Field(
        ".",
        description="Directory where attachments and filepath objects are downloaded.",
        examples=["./downloads"],
    )


#: The settings groups, by top-level key.
GROUPS: dict[str, type[_Group]] = {
    name: info.annotation  # type: ignore[misc]
    for name, info in DataJointSettings.model_fields.items()
    if isinstance(info.annotation, type) and issubclass(info.annotation, _Group)
}

#: ``"group.key"`` spellings DataJoint reads as well as the nested group.
FLAT_KEYS: tuple[str, ...] = tuple(
    f"{group}.{key}" for group, model in GROUPS.items() for key in model.model_fields
)


#: Top-level keys that are not DataJoint settings: the stores (checked by
#: ``dj.config.validate()``), the editor's ``$schema`` and the notes of ``$comment``.
NOT_SETTINGS = ("$schema", "$comment", "stores")


def settings_problems(document: dict[str, Any]) -> list[str]:
    """Every problem with the non-store settings of ``document``, one line each.

    Flat dotted keys are checked as their group's key, as DataJoint reads them; an
    unknown top-level key is a problem (DataJoint would ignore it without a word).
    """
    nested: dict[str, Any] = {}
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if key in NOT_SETTINGS or key.startswith("stores."):
            continue
        if key in FLAT_KEYS:
            flat[key] = value
        else:
            nested[key] = value
    problems = _problems(DataJointSettings, nested, "")
    for key, value in flat.items():
        group, _, attr = key.partition(".")
        problems += _problems(GROUPS[group], {attr: value}, f"{group}.")
    return problems


def _problems(model: type[BaseModel], data: dict[str, Any], prefix: str) -> list[str]:
    try:
        model.model_validate_json(json.dumps(data))  # JSON mode: a path may be a string
    except ValidationError as exc:
        return [
            f"{prefix}{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False)
        ]
    return []
