"""The map library's fetch step: a tarball is unpacked only when it matches the pinned hash."""

from __future__ import annotations

import io
import tarfile

import pytest

from tocsin.web import build


def _tarball(path, files: dict[str, bytes]):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_tarball_that_is_not_the_pinned_release_is_refused(tmp_path):
    files = {name: b"// not leaflet\n" for name in build.FILES}
    tgz = _tarball(tmp_path / "leaflet-1.9.4.tgz", files)
    with pytest.raises(build.VendorError, match="integrity"):
        build.unpack(tgz, tmp_path / "vendor")
    assert not (tmp_path / "vendor").exists()
    assert not build.present(tmp_path / "vendor")


def test_the_vendored_library_is_in_place_after_install():
    assert build.present(), "run make (python -m tocsin.web.build) once"
    head = (build.VENDOR / "leaflet.js").read_text("utf-8")[:200]
    assert "Leaflet 1.9.4" in head
