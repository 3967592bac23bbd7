"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Validation of the check character is python-stdnum's ``cn.uscc``; this module adds the parts the
platform relies on: characters 3–8 are the division code of the registering authority.
"""

from __future__ import annotations

from stdnum.cn import uscc as _uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class USCCError(ValueError):
    pass


def clean(code: str) -> str:
    return _uscc.compact(code or "")


def validate(code: str) -> str:
    """Return the compact code or raise USCCError with a Chinese reason."""
    try:
        return _uscc.validate(code or "")
    except InvalidLength as exc:
        raise USCCError("统一社会信用代码应为18位") from exc
    except InvalidChecksum as exc:
        raise USCCError("统一社会信用代码校验位错误") from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise USCCError("统一社会信用代码含非法字符") from exc
    except ValidationError as exc:  # pragma: no cover - other stdnum errors
        raise USCCError("统一社会信用代码无效") from exc


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except USCCError:
        return False
    return True


def division_part(code: str) -> str:
    """Characters 3–8: the registering authority's division code."""
    return clean(code)[2:8]


def make(registration_dept: str, division_code: str, organisation_code_body: str) -> str:
    """Build a valid code from its parts (used by the demo generator and tests).

    ``registration_dept`` is two characters (e.g. ``91`` = 工商, enterprise), ``division_code`` six
    digits, ``organisation_code_body`` the organisation code: ONLY ITS FIRST EIGHT CHARACTERS are used
    (a ninth, if given, is replaced by the GB 11714 check character computed here), so the result
    passes both checks. Two bodies that differ only in the ninth character give the same code.
    """
    body8 = organisation_code_body[:8]
    org = body8 + _organisation_check(body8)
    partial = registration_dept + division_code + org
    return partial + _uscc.calc_check_digit(partial)


def _organisation_check(body8: str) -> str:
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(weights[i] * alphabet.index(c) for i, c in enumerate(body8))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)
