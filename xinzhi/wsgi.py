import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
application = get_wsgi_application()

# gunicorn --preload (deploy/systemd/xinzhi-web@.service) loads this module in the master, before it opens
# its port, and forks the workers from it. What Django would otherwise do on each worker's first request is
# done here once, so the forked workers inherit it: import every view (the URLconf) and load the Chinese
# catalogue. Without it the first requests on a freshly restarted instance took 1–2 s (the rehearsal,
# docs/operations.md). A database connection opened meanwhile must not be shared by the workers: closed.
from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import translation  # noqa: E402

get_resolver().url_patterns  # noqa: B018 — the import of every view is the point
with translation.override(settings.LANGUAGE_CODE):
    translation.gettext("首页")
connections.close_all()
