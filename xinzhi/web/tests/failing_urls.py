"""The site's URLs plus one view that fails, for the 500-page test."""

from django.urls import path

from xinzhi.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("internal detail that must not be shown")


urlpatterns = [path("boom/", boom), *site_urlpatterns]
