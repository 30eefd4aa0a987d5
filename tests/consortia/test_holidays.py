"""The holiday arrangement as data the bureau keeps: seeded for the years the calendar package
knows, entered by the administrator for the next, and deadlines that never raise for a year not
entered (they are provisional, Monday to Friday, until it is)."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse

from consortia.calendar import WorkCalendar
from consortia.models import HolidayDay, HolidayNotice


def test_the_known_years_are_seeded(db):
    assert HolidayNotice.objects.filter(year__gte=2004, year__lte=2026).count() == 23
    calendar = WorkCalendar()
    assert not calendar.is_workday(datetime.date(2026, 10, 5))  # National Day
    assert calendar.is_workday(datetime.date(2026, 10, 10))  # a Saturday worked
    assert calendar.unknown_years == set()


def test_a_year_not_entered_counts_monday_to_friday_and_says_so(db):
    calendar = WorkCalendar()
    assert calendar.is_workday(datetime.date(2027, 1, 1))  # a Friday: New Year, but nobody has entered 2027
    assert not calendar.is_workday(datetime.date(2027, 1, 2))
    assert calendar.unknown_years == {2027}


def _quarter_paid(county, day):
    from budgets.models import PaymentOrder
    from budgets.services import payments
    from budgets.services.prepayments import prepayment_run

    prepayment_run(period="2025-Q1", user=county.staff)
    order = PaymentOrder.objects.get(kind="prepayment")
    payments.order_approve(order=order, user=county.auditor)
    payments.order_pay(order=order, user=county.staff, paid_on=day, bank_reference="Q1")
    return order


@pytest.mark.parametrize("day, provisional, entered", [
    (datetime.date(2026, 12, 18), datetime.date(2027, 1, 1), datetime.date(2027, 1, 4)),  # the tenth day is 1 January
    (datetime.date(2026, 12, 24), datetime.date(2027, 1, 7), datetime.date(2027, 1, 8)),
])
def test_a_deadline_into_a_year_not_entered_is_provisional_then_follows_the_notice(county, day, provisional,
                                                                                   entered):
    from budgets.models import PaymentOrder
    from budgets.selectors import disbursement_schedule
    from consortia.models import User
    from consortia.services import holiday_notice_save
    from tests.consortia import factories as f

    county.agreement("shexian-2025-target-two")
    order = _quarter_paid(county, day)
    (row,) = disbursement_schedule(orders=PaymentOrder.objects.filter(pk=order.pk), today=datetime.date(2026, 12, 1))
    assert (row["deadline"], row["provisional"]) == (provisional, [2027])  # Monday to Friday, and said so
    admin = f.user(User.Role.ADMINISTRATOR, "holiday-admin")
    holiday_notice_save(year=2027, notice_number="国办发明电〔2026〕X号", published_on=None, user=admin,
                        days=[(datetime.date(2027, 1, 1), HolidayDay.Kind.HOLIDAY, "元旦")])
    (row,) = disbursement_schedule(orders=PaymentOrder.objects.filter(pk=order.pk), today=datetime.date(2026, 12, 1))
    assert (row["deadline"], row["provisional"]) == (entered, [])
    assert order.amount == D("90499500.00")


def test_the_overview_stands_with_payments_dated_in_years_nobody_entered(client, county):
    from budgets.models import PaymentOrder

    county.agreement("shexian-2025-target-two")
    _quarter_paid(county, datetime.date(2026, 11, 20))
    finance = PaymentOrder.objects.get().agreement.consortium.user_set.get(role="finance_officer")
    for user in (county.staff, county.auditor, finance):
        client.force_login(user)
        page = client.get(reverse("home"))
        assert page.status_code == 200
    HolidayNotice.objects.filter(year=2026).delete()  # as if 2026 had never been entered
    client.force_login(finance)
    body = client.get(reverse("home")).content.decode()
    assert "节假日安排尚未录入" in body and "暂定" in body


def test_the_administrator_enters_next_year_and_nobody_else_may(client, world):
    url = reverse("holidays")
    client.force_login(world.staff_a1)
    assert client.get(url).status_code == 200  # everyone reads which years are entered
    assert client.post(url, {"year": 2027}).status_code == 403
    client.force_login(world.admin)
    bad = client.post(url, {"year": 2027, "notice_number": "国办发明电〔2026〕X号",
                            "days": "2027-01-01,休,元旦\n2027-01-04,班,元旦\n2027-13-01,休,春节\n2027-02-06,闲,春节"})
    body = bad.content.decode()
    assert "第 2 行：2027-01-04 是工作日" in body
    assert "第 3 行：2027-13-01 不是日期" in body
    assert "第 4 行：类型须为“休”（放假）或“班”（调休上班），不能是 闲。" in body
    assert not HolidayNotice.objects.filter(year=2027).exists()
    good = client.post(url, {"year": 2027, "notice_number": "国办发明电〔2026〕X号",
                             "days": "2027-01-01,休,元旦\n2027-02-06，班，春节\n"}, follow=True)
    assert "2027 年节假日安排已保存：共 2 天" in good.content.decode()
    notice = HolidayNotice.objects.get(year=2027)
    assert [(d.date, d.kind) for d in notice.days.order_by("date")] == [
        (datetime.date(2027, 1, 1), "holiday"), (datetime.date(2027, 2, 6), "workday")]
    assert notice.history.exists() and notice.entered_by == world.admin
