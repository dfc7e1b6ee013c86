"""The installed package: where it comes from, its version, its exported names."""

import importlib.metadata
import json
from pathlib import Path

import leadgen
from conftest import REPO


def test_installed_package_is_used():
    # Imported from site-packages (the installed wheel), not from bindings-python/python.
    location = Path(leadgen.__file__).resolve()
    assert "site-packages" in location.parts, location
    assert not str(location).startswith(str(REPO / "bindings-python" / "python"))


def test_one_version_everywhere():
    package_json = json.loads((REPO / "bindings-node" / "package.json").read_text())
    assert leadgen.__version__ == importlib.metadata.version("leadgen")
    assert leadgen.__version__ == package_json["version"]


def test_parity_manifest_operations_exist_in_python():
    manifest = json.loads((REPO / "parity.json").read_text())
    missing = []
    for op in manifest["operations"]:
        target = leadgen
        for part in op["python"].split("."):
            target = getattr(target, part, None)
            if target is None:
                missing.append(op["python"])
                break
    assert not missing, f"in parity.json but not in the Python package: {missing}"


def test_py_typed_and_stubs_ship():
    root = Path(leadgen.__file__).parent
    assert (root / "py.typed").exists()
    assert (root / "_leadgen.pyi").exists()
