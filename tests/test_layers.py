"""The layers hold: imports run downward only, as the import-linter contracts in pyproject.toml say;
no two apps import each other; every app of the project stands on a floor; and INSTALLED_APPS lists
them from the bottom up (an app's data rights and merge hooks register after those below it)."""

from pathlib import Path

import grimp
import pytest
from django.conf import settings
from importlinter import api
from importlinter.application.use_cases import lint_imports
from importlinter.contracts.layers import LayersContract

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
CONFIG = api.read_configuration(str(PYPROJECT))
ROOTS: list[str] = CONFIG["session_options"]["root_packages"]
(LAYERS,) = [c for c in CONFIG["contracts_options"] if c["id"] == "layers"]


def floors() -> list[list[str]]:
    """The layers contract's apps, top layer first."""
    return [[name.strip() for name in layer.split("|")] for layer in LAYERS["layers"]]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*ROOTS, cache_dir=None)


def test_the_import_contracts_hold() -> None:
    """Run as ``lint-imports`` would; its report (printed) names any import that runs back up."""
    assert lint_imports(config_filename=str(PYPROJECT), cache_dir=None, no_logo=True)


def test_an_import_running_back_up_breaks_the_layers(graph: grimp.ImportGraph) -> None:
    upward = grimp.build_graph(*ROOTS, cache_dir=None)
    upward.add_import(importer="customers.models", imported="tablet.card", line_number=1, line_contents="")

    def kept(import_graph: grimp.ImportGraph) -> bool:
        contract = LayersContract(name=LAYERS["name"], session_options={}, contract_options=LAYERS)
        return contract.check(import_graph, verbose=False).kept

    assert kept(graph)
    assert not kept(upward)


def test_no_two_apps_import_each_other(graph: grimp.ImportGraph) -> None:
    imports = {
        (module.split(".")[0], imported.split(".")[0])
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
    }
    both_ways = sorted((a, b) for a, b in imports if a < b and (b, a) in imports)

    assert not both_ways


def test_every_app_of_the_project_stands_on_a_floor() -> None:
    on_floors = {app for floor in floors() for app in floor}
    repository = PYPROJECT.parent
    local_apps = {app for app in settings.INSTALLED_APPS if (repository / app / "apps.py").exists()}

    assert on_floors == set(ROOTS)
    assert local_apps | {"clienteling", "common"} == on_floors


def test_installed_apps_go_from_the_bottom_floor_up() -> None:
    height = {app: level for level, floor in enumerate(reversed(floors())) for app in floor}
    listed = [height[app] for app in settings.INSTALLED_APPS if app in height]

    assert listed == sorted(listed)
