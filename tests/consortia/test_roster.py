"""The monthly family-doctor roster import: all or nothing, row-numbered errors, safe files."""

import datetime
import io
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from consortia import services
from consortia.models import Job, RosterEntry

MARCH = datetime.date(2025, 3, 1)
GOOD_CSV = (
    "enrollee_id,team,category,baseline_cost\n"
    "E001,张医生团队,门诊,1200.50\n"
    "E001,张医生团队,住院,8000\n"
    "E002,李医生团队,门诊,950.25\n"
)


def upload(content, name="roster.csv", encoding="utf-8"):
    data = content.encode(encoding) if isinstance(content, str) else content
    return SimpleUploadedFile(name, data)


def xlsx(rows, epoch_1904=False):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if epoch_1904:
        book.epoch = datetime.datetime(1904, 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def run(world, content, name="roster.csv", month=MARCH):
    job = services.roster_import_enqueue(
        agreement=world.agreement_a1y, month=month, upload=upload(content, name), user=world.staff_a1
    )
    job.refresh_from_db()
    return job


def test_a_good_file_loads_the_month(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, GOOD_CSV)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result == {"rows": 3, "enrollees": 2, "baseline_total": "10150.75", "month": "2025-03-01"}
    assert job.progress_percent == 100
    rows = RosterEntry.objects.filter(agreement=world.agreement_a1y, month=MARCH).order_by("enrollee_id", "category")
    assert [(r.enrollee_id, r.category, r.baseline_cost) for r in rows] == [
        ("E001", "住院", Decimal("8000.00")), ("E001", "门诊", Decimal("1200.50")), ("E002", "门诊", Decimal("950.25")),
    ]


def test_importing_the_same_month_again_replaces_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(world, GOOD_CSV)
        run(world, GOOD_CSV)
        run(world, GOOD_CSV.replace("950.25", "990.00"), month=datetime.date(2025, 3, 20))
    assert RosterEntry.objects.filter(month=MARCH).count() == 3
    assert RosterEntry.objects.get(enrollee_id="E002").baseline_cost == Decimal("990.00")


def test_chinese_headers_in_gb18030_are_read(world, django_capture_on_commit_callbacks):
    content = "人员编号,家庭医生团队,费用类别,基线年费用\nE9,王医生团队,门诊,100\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, upload(content, encoding="gb18030").read())
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert RosterEntry.objects.get(enrollee_id="E9").team == "王医生团队"


def test_xlsx_float_amounts_are_read_exactly(world, django_capture_on_commit_callbacks):
    content = xlsx([["enrollee_id", "team", "category", "baseline_cost"], ["E1", "T", "门诊", 12.3], ["E2", "T", "门诊", 0.1]])
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, content, name="roster.xlsx")
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert job.result["baseline_total"] == "12.40"


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (GOOD_CSV + "E003,赵医生团队,门诊,-5\n", "roster.csv", {"row": 5, "column": "基线年费用", "message": "金额不能为负数"}),
        (GOOD_CSV + "E003,赵医生团队,门诊,12.345\n", "roster.csv", {"row": 5, "column": "基线年费用", "message": "金额最多两位小数"}),
        (GOOD_CSV + "E003,赵医生团队,门诊,abc\n", "roster.csv", {"row": 5, "column": "基线年费用", "message": "不是有效金额"}),
        (GOOD_CSV + ",赵医生团队,门诊,1\n", "roster.csv", {"row": 5, "column": "人员编号", "message": "不能为空"}),
        (GOOD_CSV + "E002,李医生团队,门诊,1\n", "roster.csv", {"row": 5, "column": "人员编号", "message": "人员 E002 的费用类别“门诊”已在第 4 行出现"}),
        ("enrollee_id,team,baseline_cost\nE1,T,1\n", "roster.csv", {"row": 0, "column": ""}),
        ("", "roster.csv", {"row": 0, "column": "", "message": "文件是空的。"}),
        (b"\xff\xfe\x00\x00garbage\x81\x00", "roster.csv", {"row": 0, "column": ""}),
        (b"not a zip", "roster.xlsx", {"row": 0, "column": "", "message": "文件不是有效的 Excel（.xlsx）工作簿。"}),
        (GOOD_CSV, "roster.pdf", {"row": 0, "column": "", "message": "请上传 .csv 或 .xlsx 文件。"}),
    ],
)
def test_a_bad_file_imports_nothing_and_says_which_row(world, content, name, expected, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(world, GOOD_CSV)  # the month already holds a good roster
    before = list(RosterEntry.objects.values_list("enrollee_id", "category", "baseline_cost").order_by("pk"))
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, content, name=name)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert any(all(error[k] == v for k, v in expected.items()) for error in job.errors), job.errors
    after = list(RosterEntry.objects.values_list("enrollee_id", "category", "baseline_cost").order_by("pk"))
    assert after == before


@pytest.mark.parametrize(
    "rows, epoch_1904, message",
    [
        ([["enrollee_id", "team", "category", "baseline_cost"], ["E1", "T", "门诊", "=1+1"]], False,
         "工作簿中含有公式，请以“仅粘贴数值”方式保存后重新导入。"),
        ([["enrollee_id", "team", "category", "baseline_cost"], ["E1", "T", "门诊", 1]], True,
         "该工作簿使用 1904 日期系统，请改用 1900 日期系统保存后重新导入。"),
    ],
)
def test_hostile_workbooks_are_refused(world, rows, epoch_1904, message, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, xlsx(rows, epoch_1904), name="roster.xlsx")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.errors[0]["message"] == message
    assert not RosterEntry.objects.exists()


def test_a_zip_bomb_is_refused(world, django_capture_on_commit_callbacks):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, buffer.getvalue(), name="roster.xlsx")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.errors[0]["message"] == "该工作簿解压后的大小远超文件本身，已拒绝导入。"


def test_only_capitation_agreements_take_a_roster(world):
    with pytest.raises(ValidationError):
        services.roster_import_enqueue(
            agreement=world.agreement_a1x, month=MARCH, upload=upload(GOOD_CSV), user=world.staff_a1
        )
    with pytest.raises(ValidationError) as wrong_year:
        services.roster_import_enqueue(
            agreement=world.agreement_a1y, month=datetime.date(2024, 3, 1), upload=upload(GOOD_CSV), user=world.staff_a1
        )
    assert "month" in wrong_year.value.message_dict
    assert not Job.objects.exists()


def test_a_finished_job_is_not_run_again(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(world, GOOD_CSV)
    RosterEntry.objects.all().delete()
    services.roster_import_run(job=Job.objects.get(pk=job.pk))  # a redelivered task
    assert not RosterEntry.objects.exists()


def test_the_admin_upload_page_leads_to_the_job(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.staff_a1)
    page = client.get(reverse("admin:consortia_rosterentry_import"))
    assert list(page.context["form"].fields["agreement"].queryset) == [world.agreement_a1y]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:consortia_rosterentry_import"),
            {"agreement": world.agreement_a1y.pk, "month": "2025-03-01", "file": upload(GOOD_CSV)},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:consortia_job_change", args=[job.pk])
    detail = client.get(response.url)
    assert detail.status_code == 200
    assert 'value="100"' in detail.content.decode()
    assert RosterEntry.objects.count() == 3


def test_the_api_upload_returns_the_job(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.staff_a1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agreement-roster-imports", args=[world.agreement_a1y.pk]),
            {"month": "2025-03-01", "file": upload(GOOD_CSV)},
        )
    assert response.status_code == 202
    job = client.get(reverse("job-detail", args=[response.json()["id"]])).json()
    assert job["status"] == "succeeded"
    assert job["result"]["baseline_total"] == "10150.75"
    listed = client.get(reverse("roster-list"), {"month": "2025-03-01", "enrollee_id": "E001"}).json()
    assert listed["count"] == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_import_runs_through_the_worker(world):
    """With a broker configured (CI: Redis and a real `celery worker`), the job goes through it;
    without one, Celery runs it eagerly. Either way the user sees the job finish."""
    from django.conf import settings

    from config.celery import app

    assert app.conf.task_always_eager is (settings.CELERY_BROKER_URL is None)
    job = run(world, GOOD_CSV)
    deadline = time.monotonic() + 60
    while job.status not in (Job.Status.SUCCEEDED, Job.Status.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.errors
    assert RosterEntry.objects.filter(agreement=world.agreement_a1y, month=MARCH).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_command_imports_a_file(world, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    good = tmp_path / "roster.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    code = world.consortium_a1y.code
    call_command("import_roster", str(good), "--consortium", code, "--year", "2025", "--month", "2025-03")
    assert "3" in capsys.readouterr().out
    assert RosterEntry.objects.filter(month=MARCH).count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD_CSV + "E9,T,门诊,-1\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_roster", str(bad), "--consortium", code, "--year", "2025", "--month", "2025-03")
    assert "金额不能为负数" in capsys.readouterr().err
    assert RosterEntry.objects.filter(month=MARCH).count() == 3


def test_the_error_report_is_kept_in_chinese_whoever_ran_it(world, django_capture_on_commit_callbacks):
    from django.utils import translation

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = run(world, GOOD_CSV + "E003,赵医生团队,门诊,-5\n")
    job.refresh_from_db()
    assert job.errors == [{"row": 5, "column": "基线年费用", "message": "金额不能为负数"}]


def test_the_roster_page_imports_and_a_wrong_month_is_named(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.staff_a1)
    page = client.get(reverse("roster-import"))
    assert list(page.context["form"].fields["agreement"].queryset) == [world.agreement_a1y]
    wrong = client.post(reverse("roster-import"), {"agreement": world.agreement_a1y.pk, "month": "2024-03-01",
                                                   "file": upload(GOOD_CSV)})
    assert "请选择 2025 年内的月份。" in wrong.content.decode()
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster-import"), {"agreement": world.agreement_a1y.pk, "month": "2025-03-01",
                                                          "file": upload(GOOD_CSV)})
    job = Job.objects.get()
    assert response.url == reverse("job-page", args=[job.pk])
    body = client.get(response.url).content.decode()
    assert "已完成" in body and RosterEntry.objects.count() == 3
    client.force_login(world.finance_a1y)
    assert client.get(reverse("roster-import")).status_code == 403
