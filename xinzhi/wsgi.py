import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
application = get_wsgi_application()

# gunicorn --preload (deploy/systemd/xinzhi-web@.service) loads this module in the master and forks the
# workers from it: a database connection opened while loading must not be shared by the forked workers
from django.db import connections  # noqa: E402

connections.close_all()
