"""``config.warnings()``: first-class results with store, key and source, never a value."""

from __future__ import annotations

import json

import datajoint_storage as dj
from datajoint_storage.settings import Config


def test_a_credential_in_datajoint_json_is_a_warning_naming_where_it_belongs(project) -> None:
    (project.root / "datajoint.json").write_text(
        json.dumps(
            {
                "stores": {
                    "raw": {
                        "protocol": "s3",
                        "endpoint": "e",
                        "bucket": "b",
                        "location": "l",
                        "access_key": "AKIA-VISIBLE",
                        "secret_key": "hunter2-VISIBLE",
                    }
                }
            }
        )
    )
    found = [w for w in Config(cwd=project.root).warnings() if w.rule == "secret-in-config-file"]
    assert {(w.store, w.key) for w in found} == {("raw", "access_key"), ("raw", "secret_key")}
    for warning in found:
        assert isinstance(warning, dj.ConfigWarning)
        assert warning.source == str(project.root / "datajoint.json")
        assert ".secrets/stores.raw." + warning.key in str(warning)
        assert "VISIBLE" not in str(warning) + repr(warning)


def test_a_credential_from_a_secret_file_is_not_a_warning(project) -> None:
    (project.root / "datajoint.json").write_text(
        json.dumps({"stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "l"}}})
    )
    (project.root / ".secrets").mkdir()
    (project.root / ".secrets" / "stores.g.token").write_text("anon")
    found = [w for w in Config(cwd=project.root).warnings() if w.key == "token"]
    # Only the short-secret warning ("anon" is too short to mask in free text).
    assert [w.rule for w in found] == ["short-secret"]


def test_a_refused_datajoint_setting_is_named_never_echoed(project) -> None:
    """DataJoint 2.3.5 stops loading at ``"database.password": 4242``; the value may be
    a password, so the warning names the setting only."""
    (project.root / "datajoint.json").write_text(
        json.dumps({"database.password": 424242, "stores": {"m": {"protocol": "memory"}}})
    )
    found = [w for w in Config(cwd=project.root).warnings() if w.rule == "datajoint-stops-reading"]
    assert found and {w.store for w in found} == {None, "m"}
    assert all("424242" not in str(w) + repr(w) for w in found)
    assert "database.password" in str(found[0])


def test_a_flat_credential_key_is_a_warning_too(project) -> None:
    (project.root / "datajoint.json").write_text(
        json.dumps(
            {
                "stores": {"g": {"protocol": "gcs", "bucket": "b", "location": "l"}},
                "stores.g.token": "ya29-VISIBLE",
            }
        )
    )
    [warning] = [
        w for w in Config(cwd=project.root).warnings() if w.rule == "secret-in-config-file"
    ]
    assert (warning.store, warning.key) == ("g", "token")
    assert "VISIBLE" not in str(warning)
