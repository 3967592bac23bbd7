"""Authentication backend: Django's ``ModelBackend``, loading the user's division with the user.

Every page's header shows the user's division and every scoped query reads it, so loading it in the
same query as the user saves a query on every request.
"""

from __future__ import annotations

from django.contrib.auth import backends, get_user_model


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("division").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
