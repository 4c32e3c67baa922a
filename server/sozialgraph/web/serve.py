"""The app under gunicorn, embedded (`sozialgraph serve`): gunicorn's own application class,
configured in code, loading the app factory in each worker after the fork, so that every web
process opens its own store and pools."""

from __future__ import annotations

import importlib


def run_gunicorn(app_factory: str, app_config: dict, options: dict) -> None:
    """Run `module:factory(app_config)` under gunicorn with `options` (gunicorn settings).

    The app is loaded in each worker after the fork, so every worker opens its own store.
    """
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            module, _, name = app_factory.partition(":")
            return getattr(importlib.import_module(module), name)(app_config)

    Application().run()
