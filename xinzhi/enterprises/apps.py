from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "xinzhi.enterprises"
    verbose_name = "企业库"

    def ready(self) -> None:
        # two-character name searches use the bigram index of migration 0005 (PostgreSQL)
        from xinzhi.core.lookups import register_bigram_index

        register_bigram_index("enterprises_enterprise", "name")
