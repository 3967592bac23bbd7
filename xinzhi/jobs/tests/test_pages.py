"""The pages that hand their work to jobs (reports, register screening, what-if, large imports) and the
"my jobs" pages. Jobs run in the request here (``XINZHI_JOBS_MODE=sync``, root conftest); the queue itself
is tested on the real broker in ``test_queue.py``."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document as DocxDocument
from openpyxl import load_workbook

from xinzhi.accounts.models import Role, User
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import write_csv
from xinzhi.cultivation.models import ScreeningRun
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise
from xinzhi.enterprises.tests.test_enterprise_import import HEADER
from xinzhi.jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=7, months=[(2024, 12)]) as users:
        yield users


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def _job_of(response) -> Job:
    assert response.status_code == 302, response.content[:500]
    return Job.objects.get(pk=int(re.fullmatch(r"/jobs/(\d+)/", response["Location"]).group(1)))


def test_a_report_is_generated_by_a_job_and_downloaded_from_my_jobs(client, demo):
    client.force_login(demo["hangzhou"])
    response = client.post("/monitoring/reports/", {"action": "generate", "kind": "briefing",
                                                    "period": "2024-12", "format": "docx"})
    job = _job_of(response)
    assert job.status == Job.Status.SUCCEEDED and job.user == demo["hangzhou"], job.error
    assert job.result_name == "杭州市2024年1—12月高新技术产业数据简报.docx"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in page and "下载结果文件" in page
    download = client.get(f"/jobs/{job.pk}/result/")
    data = b"".join(download.streaming_content)
    assert "杭州市" in "\n".join(p.text for p in DocxDocument(io.BytesIO(data)).paragraphs)
    assert download["Content-Disposition"].startswith("attachment")
    assert job.title in client.get("/jobs/").content.decode()
    # another user neither sees nor downloads it
    client.force_login(demo["xihu"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/result/").status_code == 404
    assert job.title not in client.get("/jobs/").content.decode()


def test_screening_and_what_if_run_as_jobs(client, demo):
    client.force_login(demo["province"])
    job = _job_of(client.post("/cultivation/screen/", {"year": "2024"}))
    assert job.status == Job.Status.SUCCEEDED, job.error
    run = ScreeningRun.objects.get(year=2024)
    assert job.result_text.startswith(f"2024年度全库筛查完成：{run.enterprise_count}家企业")
    assert job.result_url == "/cultivation/unclaimed/?year=2024"
    page = client.get("/cultivation/what-if/?year=2024").content.decode()
    param = re.search(r'<form method="post" class="card" id="what-if-job">.*?<option value="([^"]+)"', page, re.S).group(1)
    job = _job_of(client.post("/cultivation/what-if/?year=2024", {"year": "2024", "param": param, "value": "0"}))
    assert job.status == Job.Status.SUCCEEDED, job.error
    book = load_workbook(io.BytesIO(_result_bytes(client, job)))
    assert book.sheetnames == ["全省合计", "分地市"]
    assert [c.value for c in book["全省合计"][1]][:2] == ["项目", "调整前符合"]
    # a mistake in the input fails the job with a Chinese reason, not the page
    bad = _job_of(client.post("/cultivation/what-if/?year=2024", {"year": "2024", "param": param, "value": "abc"}))
    assert bad.status == Job.Status.FAILED and "不是数字" in bad.error
    # a county may not run the province's screening
    client.force_login(demo["xihu"])
    assert client.post("/cultivation/screen/", {"year": "2024"}).status_code == 403


def _result_bytes(client, job) -> bytes:
    return b"".join(client.get(f"/jobs/{job.pk}/result/").streaming_content)


def test_a_large_import_is_committed_by_a_job(client, settings, tmp_path):
    settings.XINZHI_IMPORT_JOB_ROWS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")
    client.force_login(user)
    from xinzhi.core.tests.test_import_limits import rows

    with open(write_csv(tmp_path / "e.csv", HEADER, rows(4)), "rb") as fh:
        page = client.post("/imports/preview/", {"kind": "enterprises", "file": fh}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    job = _job_of(client.post("/imports/commit/", {"token": token}))
    assert job.kind == "imports.commit" and job.status == Job.Status.SUCCEEDED, job.error
    assert job.result_text.startswith("已导入“e.csv”：新增4行")
    assert Enterprise.objects.filter(name__in=[f"企业{i}" for i in range(1, 5)]).count() == 4
    assert ImportBatch.objects.filter(status="committed", user=user).count() == 1
    assert not list((tmp_path / "media" / "imports").iterdir())  # the upload is removed once committed
    # below the threshold the page commits in the request as before
    settings.XINZHI_IMPORT_JOB_ROWS = 100
    with open(write_csv(tmp_path / "f.csv", HEADER, rows(2)), "rb") as fh:
        page = client.post("/imports/preview/", {"kind": "enterprises", "file": fh}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    assert client.post("/imports/commit/", {"token": token})["Location"] == "/imports/"
    assert Job.objects.count() == 1
