"""Integration tests: real storage servers on 127.0.0.1, started by the fixtures."""
