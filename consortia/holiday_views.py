"""The holiday arrangements page: the administrator enters or imports a year's State Council
notice (days off and make-up working days); everyone may read which years are entered."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import HolidayNoticeForm, add_service_errors
from .models import HolidayDay, HolidayNotice
from .selectors import sees_everything
from .services import holiday_notice_save


@login_required
def holidays_page(request):
    keeper = sees_everything(request.user)
    year = request.GET.get("year")
    chosen = HolidayNotice.objects.filter(year=year).first() if year and year.isdigit() else None
    initial = {}
    if chosen is not None:
        initial = {"year": chosen.year, "notice_number": chosen.notice_number, "published_on": chosen.published_on,
                   "days": "\n".join(f"{d.date.isoformat()},{'休' if d.kind == HolidayDay.Kind.HOLIDAY else '班'},{d.name}"
                                     for d in chosen.days.order_by("date"))}
    form = HolidayNoticeForm(initial=initial)
    if request.method == "POST":
        if not keeper:
            raise PermissionDenied
        form = HolidayNoticeForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                notice = holiday_notice_save(year=form.cleaned_data["year"],
                                             notice_number=form.cleaned_data["notice_number"],
                                             published_on=form.cleaned_data["published_on"],
                                             days=form.cleaned_data["parsed"], user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The holiday arrangement of %(year)s is saved: %(n)s days. Deadlines "
                                            "counted in working days now follow it.")
                                 % {"year": notice.year, "n": notice.days.count()})
                return redirect(f"{request.path}?year={notice.year}")
    notices = HolidayNotice.objects.annotate(
        off=Count("days", filter=Q(days__kind=HolidayDay.Kind.HOLIDAY)),
        worked=Count("days", filter=Q(days__kind=HolidayDay.Kind.WORKDAY))).order_by("-year")
    return render(request, "consortia/holidays.html", {"notices": notices, "form": form if keeper else None,
                                                       "chosen": chosen})
