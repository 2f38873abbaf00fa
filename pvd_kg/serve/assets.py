"""The web interface's static files, and the front-end libraries `npm ci` copies into
``static/vendor/`` (YASGUI for ``/query``, Leaflet for the maps): without them those pages are blank.

``PVD_KG_STATIC_DIR`` serves the static files from another folder (a copy with other assets).
"""

from __future__ import annotations

import os
from pathlib import Path

STATIC_DIR = Path(os.environ.get("PVD_KG_STATIC_DIR") or Path(__file__).with_name("static"))
VENDOR_FILES = ("yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "leaflet/leaflet.js", "leaflet/leaflet.css")


def missing_vendor_files(static_dir: Path = STATIC_DIR) -> list[str]:
    """The front-end library files absent from ``static_dir/vendor``."""
    return [name for name in VENDOR_FILES if not (static_dir / "vendor" / name).is_file()]


def assets_warning(static_dir: Path = STATIC_DIR) -> str | None:
    """One line saying what is missing and how to fix it, or None when nothing is."""
    missing = missing_vendor_files(static_dir)
    if not missing:
        return None
    return (f"pvd-kg: warning: the web assets are missing ({', '.join(missing)} in {static_dir / 'vendor'}): "
            "/query and the maps will be blank; run `npm ci` in the pvd-kg folder to install them")
