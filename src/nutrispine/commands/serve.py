"""``nutrispine serve``: the web app and JSON API on uvicorn (loopback by default)."""

from __future__ import annotations

import os

import typer


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the CLI."""

    @app.command()
    def serve(
        host: str = typer.Option("127.0.0.1", help="Address to bind (loopback by default)."),
        port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
        multi_user: bool | None = typer.Option(
            None, "--multi-user/--single-user",
            help="Accounts with sign-in (default when not on loopback), or one local user "
                 "with no login (default on loopback)."),
        workers: int = typer.Option(1, min=1, max=64, help="Worker processes."),
        secure_cookies: bool | None = typer.Option(
            None, "--secure-cookies/--insecure-cookies",
            help="Mark cookies Secure and send HSTS: for HTTPS (a TLS proxy in front); the "
                 "default when not on loopback."),
    ) -> None:
        """Serve the web app and the versioned JSON API (OpenAPI at /docs)."""
        from nutrispine.commands._common import fail
        from nutrispine.web.config import is_loopback

        multi = (not is_loopback(host)) if multi_user is None else multi_user
        if not multi and not is_loopback(host):
            fail(ValueError("single-user mode has no login, so it only binds to loopback "
                            "(127.0.0.1); use --multi-user to serve on other addresses"))
        import uvicorn

        from nutrispine.settings import home
        from nutrispine.store import Store
        from nutrispine.web.config import load_secret

        try:
            store = Store.open()  # migrate once, before any worker starts
        except Exception as exc:  # a wrong URL or an unreachable server: say so, no traceback
            fail(exc)
        problems = store.integrity_problems()
        store.close()
        if problems:
            fail(RuntimeError("database integrity check failed: " + "; ".join(problems)))
        load_secret(home())
        os.environ["NUTRISPINE_MULTI_USER"] = "1" if multi else "0"
        secure = (not is_loopback(host)) if secure_cookies is None else secure_cookies
        os.environ["NUTRISPINE_SECURE_COOKIES"] = "1" if secure else "0"
        mode = "multi-user (accounts)" if multi else "single-user (no login)"
        typer.echo(f"nutrispine: {mode} on http://{host}:{port}/  (API docs at /docs)",
                   err=True)
        uvicorn.run("nutrispine.web.app:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level="warning", proxy_headers=False,
                    h11_max_incomplete_event_size=64 * 1024)
