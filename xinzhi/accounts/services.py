"""Account operations: the demo logins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Role, User

DEMO_PASSWORD = "xinzhi-demo-2025"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    bound_to: str


#: username, role, division code (None for enterprise/expert), display name
DEMO_USERS = [
    ("province", Role.PROVINCE_STAFF, "330000", "省经信厅 张工"),
    ("hangzhou", Role.CITY_STAFF, "330100", "杭州市经信局 李工"),
    ("xihu", Role.COUNTY_STAFF, "330106", "西湖区经信局 王工"),
    ("leader", Role.LEADER, "330000", "省经信厅 领导"),
    ("expert", Role.EXPERT, None, "评审专家 陈教授"),
    ("enterprise", Role.ENTERPRISE, None, "企业填报员"),
]


@transaction.atomic
def create_demo_users(password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create (or reset) one login per role. The enterprise login is bound to the first enterprise
    registered in 西湖区 (330106), or any enterprise if there is none there."""
    Enterprise = User._meta.get_field("enterprise").related_model  # noqa: N806 (accounts sits below the register)
    enterprise = (
        Enterprise.objects.filter(division_id="330106").order_by("id").first() or Enterprise.objects.order_by("id").first()
    )
    logins = []
    for username, role, division_code, full_name in DEMO_USERS:
        if role == Role.ENTERPRISE and enterprise is None:
            continue
        user, _ = User.objects.get_or_create(username=username)
        user.role = role
        user.division_id = division_code
        user.enterprise = enterprise if role == Role.ENTERPRISE else None
        user.full_name = full_name
        # the province login is the demo province administrator (Django admin); nobody else gets in
        user.is_staff = user.is_superuser = role == Role.PROVINCE_STAFF
        user.set_password(password)
        user.save()
        bound = user.division.name if user.division_id else (enterprise.name if user.enterprise_id else "—")
        logins.append(DemoLogin(username, str(Role(role).label), bound))
    return logins


def issue_token(user: User, name: str) -> str:
    """Issue a personal API token; returns the token text, which is not stored and cannot be shown again."""
    import hashlib
    import secrets

    from .models import ApiToken

    token = "xz_" + secrets.token_urlsafe(30)
    ApiToken.objects.create(user=user, name=name, prefix=token[:8], key_hash=hashlib.sha256(token.encode()).hexdigest())
    return token


def user_for_token(token: str) -> User | None:
    """The active user a live token belongs to, or None; records the use."""
    import hashlib

    from django.utils import timezone

    from .models import ApiToken

    digest = hashlib.sha256(token.encode()).hexdigest()
    row = ApiToken.objects.select_related("user").filter(key_hash=digest, revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


def revoke_token(user: User, token_id: int) -> bool:
    from django.utils import timezone

    from .models import ApiToken

    return bool(ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now()))
