"""Every write to the tables the problem list API reads raises their data version (core.versioning), for the
API response cache of ``GET /api/v1/programs/problems``: the problems, and — for a solver's view — the
solver register, the invitations (定向对接) and the proposals."""

from django.db import migrations

from xinzhi.core.versioning import TrackDataVersion


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_dataversion"),
        ("programs", "0004_research_calls"),
    ]

    operations = [
        TrackDataVersion("Problem"),
        TrackDataVersion("Problem_invited_solvers"),
        TrackDataVersion("Solver"),
        TrackDataVersion("Proposal"),
    ]
