"""`foods download` against a local HTTP server (loopback) serving a zip the test builds."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nutrispine.errors import InputError
from nutrispine.foods.download import download, resolve

from .conftest import write_mini_fdc, zip_folder


@pytest.fixture
def served_zip(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = write_mini_fdc(tmp_path / "FoodData_Central_csv_2024-04-18")
    site = tmp_path / "site"
    site.mkdir()
    archive = zip_folder(folder, site / "FoodData_Central_csv_2024-04-18.zip")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(site), **kwargs)  # type: ignore[arg-type]

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/{archive.name}", archive
    finally:
        server.shutdown()
        server.server_close()


def test_download_writes_file_and_checksum(served_zip: tuple[str, Path], tmp_path: Path) -> None:
    url, archive = served_zip
    expected = hashlib.sha256(archive.read_bytes()).hexdigest()
    got = download(url, tmp_path / "dl", sha256=expected.upper())
    assert got.sha256 == expected and got.size == archive.stat().st_size
    assert got.path.read_bytes() == archive.read_bytes()
    assert got.path.with_name(got.path.name + ".sha256").read_text().startswith(expected)


def test_checksum_mismatch_discards_the_file(served_zip: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = served_zip
    with pytest.raises(InputError, match="checksum mismatch"):
        download(url, tmp_path / "dl", sha256="0" * 64)
    assert list((tmp_path / "dl").iterdir()) == []


def test_http_error_is_an_input_error(served_zip: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = served_zip
    with pytest.raises(InputError, match="404"):
        download(url.replace(".zip", "-missing.zip"), tmp_path / "dl")


def test_release_names_resolve() -> None:
    assert resolve("sr-legacy").startswith("https://")
    assert resolve("http://127.0.0.1:1/x.zip") == "http://127.0.0.1:1/x.zip"
    with pytest.raises(InputError) as err:
        resolve("brandd")
    assert err.value.problems[0].suggestions == ["branded"]


def test_cli_download_then_import(served_zip: tuple[str, Path]) -> None:
    from nutrispine.cli import app
    from nutrispine.foods import open_database

    url, archive = served_zip
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    result = CliRunner().invoke(app, ["foods", "download", url, "--sha256", digest, "-q"])
    assert result.exit_code == 0, result.output
    assert "imported 5 foods" in result.output
    db = open_database()
    assert db is not None and db.count() == 5
    db.close()
    bad = CliRunner().invoke(app, ["foods", "download", url, "--sha256", "ab" * 32, "-q"])
    assert bad.exit_code == 2 and "checksum mismatch" in bad.output
