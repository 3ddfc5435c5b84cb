"""The ``nutrispine`` command: one thin Typer app that mounts one module per noun.

Command modules import only Typer and the standard library at the top, and load the engine
inside the command, so that ``nutrispine --help`` and ``nutrispine assess`` start quickly.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from functools import lru_cache

# nutrispine uses no pydantic plugins; skipping their discovery spares every command a scan of
# every installed package's metadata.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import typer

# Modules that register plain commands on ``app`` (each exposes ``register(app)``).
_COMMAND_MODULES = ("assess", "knowledge", "plan", "ask", "serve")
# Modules that expose a Typer sub-app named ``app``, mounted under a noun.
_SUB_APPS = {
    "foods": "Food database: import, download, search, parse, top foods.",
    "batch": "Population screening: batch screen, prevalence, NHANES import.",
}
# Modules that add commands to an existing sub-app (module -> sub-app noun).
_EXTENSIONS = {"foods_top": "foods"}


KNOWN = (*_COMMAND_MODULES, *_SUB_APPS)
# Commands that finish in milliseconds and allocate little: they run with the collector paused.
_BRIEF = ("assess", "knowledge", "ask")


def _new_app() -> typer.Typer:
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
    # A callback keeps the app a group even when only one command is built, so the command's
    # name is still required and parsed (Typer runs a lone command directly otherwise).
    app.callback()(_root)
    return app


def _root() -> None:
    """nutrispine: cited, safe screening for nutrient shortfalls behind back and neck pain."""


def _load(name: str) -> object | None:
    try:
        return importlib.import_module(f"nutrispine.commands.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"nutrispine.commands.{name}":
            return None
        raise


def build(only: str | None = None) -> typer.Typer:
    """The command-line app: every command, or only ``only`` (a command or noun) when that is all
    a run needs. Like click's documented lazy groups, this spares ``nutrispine assess`` the cost
    of building the other commands."""
    app = _new_app()
    for name in _COMMAND_MODULES:
        if only in (None, name) and (module := _load(name)) is not None:
            module.register(app)  # type: ignore[attr-defined]
    sub_apps: dict[str, typer.Typer] = {}
    for noun, help_text in _SUB_APPS.items():
        if only in (None, noun) and (module := _load(noun)) is not None:
            sub_apps[noun] = module.app  # type: ignore[attr-defined]
            app.add_typer(module.app, name=noun, help=help_text)  # type: ignore[attr-defined]
    for name, noun in _EXTENSIONS.items():
        if noun in sub_apps and (module := _load(name)) is not None:
            module.register(sub_apps[noun])  # type: ignore[attr-defined]
    return app


@lru_cache(maxsize=1)
def _full_app() -> typer.Typer:
    return build()


def __getattr__(name: str) -> typer.Typer:
    """``nutrispine.cli.app`` is the full app (built on first use), for tests and embedding."""
    if name == "app":
        return _full_app()
    raise AttributeError(f"module 'nutrispine.cli' has no attribute {name!r}")


def main() -> None:
    """Entry point of the console script.

    Why the garbage-collector calls: start-up (Typer, pydantic, the knowledge base) creates tens
    of thousands of objects that live until exit and almost no garbage, yet the collector would
    scan them again and again, and once more while the interpreter shuts down. So collection is
    paused during start-up and brief commands; longer commands run with it on, after freezing
    what start-up made (``gc.freeze``, meant for exactly this); and at exit everything is frozen
    so the final collection skips objects the process is about to release anyway. Together this
    saves about a fifth of a brief command's wall time (bench/bench_startup.py).
    """
    word = sys.argv[1] if len(sys.argv) > 1 else None
    enabled = gc.isenabled()
    gc.disable()
    try:
        app = build(word if word in KNOWN else None)
        if word not in _BRIEF and enabled:
            gc.freeze()
            gc.enable()
        app()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
