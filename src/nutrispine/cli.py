"""The ``nutrispine`` command: one thin Typer app that mounts one module per noun.

Command modules import only Typer and the standard library at the top, and load the engine
inside the command, so that ``nutrispine --help`` and ``nutrispine assess`` start quickly.
"""

from __future__ import annotations

import importlib
import os

# nutrispine uses no pydantic plugins; skipping their discovery (an importlib.metadata scan of
# every installed package) saves about 9 ms on every command.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

app = typer.Typer(
    name="nutrispine",
    help=(
        "Could a nutrient shortfall be part of your back or neck pain? nutrispine screens for "
        "vitamin D, magnesium, vitamin B12 and calcium shortfalls, triages red flags first, and "
        "suggests foods and safe next steps. It informs; it does not diagnose or prescribe."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules that register plain commands on ``app`` (each exposes ``register(app)``).
_COMMAND_MODULES = ("assess", "knowledge", "plan", "ask", "serve")
# Modules that expose a Typer sub-app named ``app``, mounted under a noun.
_SUB_APPS = {
    "foods": "Food database: import, download, search, parse, top foods.",
    "batch": "Population screening: batch screen, prevalence, NHANES import.",
}
# Modules that add commands to an existing sub-app (module -> sub-app noun).
_EXTENSIONS = {"foods_top": "foods"}


def _load(name: str) -> object | None:
    try:
        return importlib.import_module(f"nutrispine.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"nutrispine.commands.{name}":
            return None
        raise


def _build() -> None:
    for name in _COMMAND_MODULES:
        module = _load(name)
        if module is not None:
            module.register(app)  # type: ignore[attr-defined]
    sub_apps: dict[str, typer.Typer] = {}
    for noun, help_text in _SUB_APPS.items():
        module = _load(noun)
        if module is not None:
            sub_apps[noun] = module.app  # type: ignore[attr-defined]
            app.add_typer(module.app, name=noun, help=help_text)  # type: ignore[attr-defined]
    for name, noun in _EXTENSIONS.items():
        module = _load(name)
        if module is not None and noun in sub_apps:
            module.register(sub_apps[noun])  # type: ignore[attr-defined]


_build()


def main() -> None:
    """Entry point of the console script."""
    app()
