"""The evaluation tests' small world (enterprises in two cities, staff, experts) for the registers' tests."""

from xinzhi.evaluation.tests.conftest import world  # noqa: F401
