"""Store configurations compared with DataJoint 2.3.5 (recorded by record_upstream.py).

Each case is (name, stores block, store asked for). ``DELIBERATE`` names the cases
where we refuse on purpose what DataJoint accepts (typed values, S3 credential pairs),
with the reason; the reference lists these differences.
"""

from __future__ import annotations

from typing import Any

S3 = {"protocol": "s3", "endpoint": "s3.amazonaws.com", "bucket": "acq", "location": "raw"}
GCS = {"protocol": "gcs", "bucket": "g", "location": "l"}
AZ = {"protocol": "azure", "container": "c", "location": "l"}

CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("file minimal", {"m": {"protocol": "file", "location": "/data"}}, "m"),
    (
        "file all common keys",
        {
            "m": {
                "protocol": "file",
                "location": "/d",
                "subfolding": [2, 2],
                "partition_pattern": "subject_id/session_date",
                "token_length": 12,
                "hash_prefix": "h",
                "schema_prefix": "s",
                "filepath_prefix": "f",
                "stage": "x",
            }
        },
        "m",
    ),
    ("file relative location", {"m": {"protocol": "file", "location": "data/rel"}}, "m"),
    ("file missing location", {"m": {"protocol": "file"}}, "m"),
    ("file unknown key", {"m": {"protocol": "file", "location": "/d", "bucket": "b"}}, "m"),
    ("s3 minimal", {"r": S3}, "r"),
    ("s3 credentials", {"r": {**S3, "access_key": "AK", "secret_key": "SK"}}, "r"),
    ("s3 insecure", {"r": {**S3, "secure": False, "endpoint": "127.0.0.1:9000"}}, "r"),
    ("s3 proxy", {"r": {**S3, "proxy_server": "http://proxy:3128"}}, "r"),
    ("s3 missing bucket", {"r": {k: v for k, v in S3.items() if k != "bucket"}}, "r"),
    ("s3 missing endpoint and bucket", {"r": {"protocol": "s3", "location": "l"}}, "r"),
    ("s3 unknown key", {"r": {**S3, "bukcet": "x"}}, "r"),
    ("s3 only access key", {"r": {**S3, "access_key": "AK"}}, "r"),
    ("s3 upper-case protocol", {"r": {**S3, "protocol": "S3"}}, "r"),
    ("gcs minimal", {"g": GCS}, "g"),
    ("gcs token and project", {"g": {**GCS, "token": "anon", "project": "p"}}, "g"),
    ("gcs unknown key", {"g": {**GCS, "endpoint": "e"}}, "g"),
    ("azure minimal", {"a": AZ}, "a"),
    ("azure account", {"a": {**AZ, "account_name": "n", "account_key": "k"}}, "a"),
    ("azure connection string", {"a": {**AZ, "connection_string": "cs"}}, "a"),
    ("azure missing container", {"a": {"protocol": "azure", "location": "l"}}, "a"),
    ("unknown protocol", {"x": {"protocol": "nosuch", "location": "l"}}, "x"),
    ("missing protocol", {"x": {"location": "l"}}, "x"),
    (
        "prefix overlap",
        {"m": {"protocol": "file", "location": "/d", "hash_prefix": "a", "schema_prefix": "a/b"}},
        "m",
    ),
    (
        "prefix overlap with slashes",
        {
            "m": {
                "protocol": "file",
                "location": "/d",
                "hash_prefix": "/data/",
                "schema_prefix": "data",
            }
        },
        "m",
    ),
    (
        "prefixes that only share letters",
        {
            "m": {
                "protocol": "file",
                "location": "/d",
                "hash_prefix": "data",
                "schema_prefix": "data2",
            }
        },
        "m",
    ),
    (
        "filepath prefix inside hash",
        {"m": {"protocol": "file", "location": "/d", "filepath_prefix": "_hash/raw"}},
        "m",
    ),
    ("empty hash prefix", {"m": {"protocol": "file", "location": "/d", "hash_prefix": ""}}, "m"),
    ("default store", {"m": {"protocol": "file", "location": "/d"}, "default": "m"}, None),
    ("default names nothing", {"m": {"protocol": "file", "location": "/d"}, "default": "z"}, None),
    ("no default", {"m": {"protocol": "file", "location": "/d"}}, None),
    ("unconfigured store", {"m": {"protocol": "file", "location": "/d"}}, "other"),
    (
        "token_length as text",
        {"m": {"protocol": "file", "location": "/d", "token_length": "abc"}},
        "m",
    ),
    ("subfolding as text", {"m": {"protocol": "file", "location": "/d", "subfolding": "2,2"}}, "m"),
    ("subfolding zero", {"m": {"protocol": "file", "location": "/d", "subfolding": [0]}}, "m"),
    ("location as number", {"m": {"protocol": "file", "location": 5}}, "m"),
]

DELIBERATE = {
    "s3 only access key": "exactly one S3 credential is refused at validation",
    "token_length as text": "values are typed",
    "subfolding as text": "values are typed",
    "subfolding zero": "values are typed",
    "location as number": "values are typed",
}
