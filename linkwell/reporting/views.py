"""The reporting pages and downloads: parse the filters, build the report, render or export."""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.models import Organisation, OrganisationKind
from linkwell.accounts.permissions import Capability

from . import charts, exports, headlines, lookups, national_return, report, sections
from .engine import SnapshotMissing
from .forms import ReportFilterForm
from .periods import add_months, parse_month

PAGES = {**sections.PAGES, "headlines": headlines.HEADLINES}

TITLE = "Social prescribing report"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", exports.to_xlsx),
}


def _report(request, pk=None):
    """(form, pcn, report); report is None when the filters are wrong (the form says why).
    `?page=completeness` builds the data-quality page's tables instead of the dashboard's."""
    scope = lookups.scope(request.user)
    pcn = None
    if pk is not None:
        pcns = Organisation.objects.filter(kind=OrganisationKind.PCN, pk__in=scope)
        pcn = visible_or_404(pcns, pk, request.user)
    form = ReportFilterForm(request.GET, scope={pcn.pk} if pcn else scope)
    if not form.is_valid():
        return form, pcn, None
    try:
        sections = PAGES.get(request.GET.get("page", "dashboard"))
        if sections is None:
            raise Http404("No such report page.")
        return form, pcn, report.build(form.filters(), sections=sections)
    except SnapshotMissing as e:
        form.add_error(None, str(e))
        return form, pcn, None


def _page(request, template, pk=None, page=None):
    if page is not None:
        request.GET = request.GET.copy()
        request.GET["page"] = page
    form, pcn, built = _report(request, pk)
    for table in built.tables if built else []:
        table.chart = charts.bar_chart(table)
    query = request.GET.copy()
    if pcn is not None:
        query["pcn"] = pcn.pk  # the exports of a PCN's page cover that PCN
    context = {
        "form": form,
        "pcn": pcn,
        "report": built,
        "query": query.urlencode(),
        "imd_year": lookups.imd_year(),
        "area_imd_year": lookups.area_imd_year(),
        "title": TITLE,
        "filters_named": exports.filters_named(built.filters) if built else [],
        "headline": headlines.headline(built.table("pcn_comparison"))
        if built and page == "headlines"
        else [],
        # Each PCN's own page, so a manager of several can compare them one by one.
        "pcns": Organisation.objects.filter(
            kind=OrganisationKind.PCN, pk__in=lookups.scope(request.user)
        ).order_by("name")
        if pcn is None
        else [],
    }
    return render(request, template, context)


@requires(Capability.VIEW_REPORTS)
def dashboard(request):
    return _page(request, "reporting/dashboard.html")


@requires(Capability.VIEW_REPORTS)
def headlines_page(request):
    return _page(request, "reporting/headlines.html", page="headlines")


@requires(Capability.VIEW_REPORTS)
def pcn_dashboard(request, pk):
    return _page(request, "reporting/dashboard.html", pk)


@requires(Capability.VIEW_REPORTS)
def completeness(request):
    return _page(request, "reporting/dashboard.html", page="completeness")


@requires(Capability.VIEW_REPORTS)
def printable(request):
    return _page(request, "reporting/print.html")


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _or_errors(form):
    errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
    return HttpResponseBadRequest(
        f"The report filters are not right. {errors}", content_type="text/plain"
    )


@requires(Capability.VIEW_REPORTS)
def export(request, table, fmt):
    if fmt not in FORMATS:
        raise Http404("Exports are CSV or XLSX.")
    form, _, built = _report(request)
    if built is None:
        return _or_errors(form)
    tables = built.tables if table == "all" else [t for t in built.tables if t.key == table]
    if not tables:
        raise Http404("No such table.")
    content_type, write = FORMATS[fmt]
    name = exports.filename(table, built.filters, fmt)
    return _download(write(built, tables), content_type, name)


@requires(Capability.VIEW_REPORTS)
def pdf(request):
    form, _, built = _report(request)
    if built is None:
        return _or_errors(form)
    name = exports.filename("report", built.filters, "pdf")
    return _download(exports.to_pdf(built, TITLE), "application/pdf", name)


@requires(Capability.VIEW_REPORTS)
def national_return_csv(request):
    default = add_months(timezone.now().date().replace(day=1), -1)
    try:
        month = parse_month(request.GET["month"]) if request.GET.get("month") else default
    except ValueError as e:
        return HttpResponseBadRequest(str(e), content_type="text/plain")
    content = national_return.to_csv(month, lookups.scope(request.user))
    return _download(content, "text/csv; charset=utf-8", f"national-return-{month:%Y-%m}.csv")
