"""The web app: `weaklink serve` runs it (docs/web.md). Pages and a JSON API under /api, both thin shells over
`weaklink.api` through `weaklink.web.views`. FastAPI is imported only when the app is built."""


def create_app(*args, **kwargs):
    """`weaklink.web.app.create_app` (imported on use, so that `import weaklink.web` stays light)."""
    from weaklink.web.app import create_app as build

    return build(*args, **kwargs)
