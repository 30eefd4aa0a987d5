from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from budgets import apis as budget_apis
from budgets import budget_views as budget_pages
from budgets import payment_views
from budgets import print_views
from budgets import views as budget_views
from claims import apis as claim_apis
from claims import views as claim_views
from consortia import agreement_views
from consortia import apis as registry_apis
from consortia import holiday_views
from consortia import registry_views as registry_pages
from consortia import views as registry_views
from evaluation import apis as evaluation_apis
from evaluation import views as evaluation_views

router = DefaultRouter()
router.register("provinces", registry_apis.ProvinceViewSet)
router.register("cities", registry_apis.CityViewSet)
router.register("counties", registry_apis.CountyViewSet)
router.register("consortia", registry_apis.ConsortiumViewSet)
router.register("institutions", registry_apis.InstitutionViewSet)
router.register("agreements", registry_apis.ServiceAgreementViewSet, basename="agreement")
router.register("schemes", registry_apis.SchemeViewSet, basename="scheme")
router.register("roster", registry_apis.RosterEntryViewSet, basename="roster")
router.register("jobs", registry_apis.JobViewSet)
router.register("budgets", budget_apis.BudgetViewSet, basename="budget")
router.register("actuals", budget_apis.ActualsViewSet, basename="actuals")
router.register("prepayment-runs", budget_apis.RunViewSet, basename="run")
router.register("payment-orders", budget_apis.OrderViewSet, basename="order")
router.register("clearings", budget_apis.ClearingViewSet, basename="clearing")
router.register("clearing-runs", budget_apis.ClearingRunViewSet, basename="clearing-run")
router.register("claims", claim_apis.ClaimViewSet, basename="claim")
router.register("claim-rollups", claim_apis.ClaimMonthlyViewSet, basename="claim-rollup")
router.register("evaluations", evaluation_apis.EvaluationViewSet, basename="evaluation")
router.register("negative-findings", evaluation_apis.NegativeFindingViewSet, basename="negative-finding")



def printable(route: str, view, name: str) -> list:
    return [path(route, view, name=name), path(f"{route}pdf/", view, {"pdf": True}, name=f"{name}-pdf")]


urlpatterns = [
    path("", budget_views.home, name="home"),
    path("feasibility/", budget_views.feasibility, name="feasibility"),
    path("feasibility/download/<str:fmt>/", budget_views.feasibility_download, name="feasibility-download"),
    path("agreements/", agreement_views.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", agreement_views.agreement_page, name="agreement-page"),
    path("agreements/<int:pk>/parameters/", agreement_views.agreement_parameters, name="agreement-parameters-page"),
    path("consortia/<int:pk>/", registry_pages.consortium_page, name="consortium-page"),
    path("registry/", registry_pages.registry_page, name="registry"),
    path("registry/<int:pk>/", registry_pages.registry_page, name="registry-institution"),
    path("checks/", claim_views.checks_page, name="checks"),
    path("holidays/", holiday_views.holidays_page, name="holidays"),
    path("dip/", claim_views.dip_page, name="dip"),
    path("benefit-rules/", claim_views.benefit_rules_page, name="benefit-rules"),
    path("agreements/<int:agreement_pk>/clearing/", budget_views.clearing_page, name="clearing-page"),
    path("clearings/<int:pk>/statement.xlsx", budget_views.clearing_statement, name="clearing-statement"),
    path("agreements/<int:agreement_pk>/budget/", budget_pages.budget_page, name="budget-page"),
    path("payments/", payment_views.payments_page, name="payments"),
    path("payments/<int:pk>/", payment_views.order_page, name="payment-order"),
    path("payments/bank-file/", payment_views.bank_file_page, name="bank-file"),
    path("claims/", claim_views.claim_list, name="claims"),
    path("claims/import/", claim_views.import_page, name="claims-import"),
    path("claims/template.csv", claim_views.template_download, name="claims-template"),
    path("claims/reconciliation/", claim_views.reconciliation_list, name="reconciliations"),
    path("claims/reconciliation/<int:pk>/", claim_views.reconciliation_page, name="reconciliation-page"),
    path("roster/import/", registry_views.roster_page, name="roster-import"),
    path("jobs/<int:pk>/", registry_views.job_page, name="job-page"),
    path("jobs/<int:pk>/errors.csv", registry_views.job_errors, name="job-errors"),
    path("jobs/<int:pk>/output/", registry_views.job_output, name="job-output"),
    path("evaluations/", evaluation_views.evaluation_list, name="evaluations"),
    path("evaluations/<int:pk>/", evaluation_views.evaluation_page, name="evaluation-page"),
    path("negative-list/", evaluation_views.findings_page, name="negative-list"),
    # Printed sheets: the print layout at …/print/, the same sheet as a PDF at …/print/pdf/.
    *printable("payments/<int:pk>/print/", print_views.order_sheet, "order-sheet"),
    *printable("payments/print/", print_views.orders_sheet, "orders-sheet"),
    *printable("clearings/<int:pk>/print/", print_views.clearing_sheet, "clearing-sheet"),
    *printable("budgets/<int:pk>/print/", print_views.budget_sheet, "budget-sheet"),
    *printable("evaluations/<int:pk>/print/", evaluation_views.checklist_sheet, "checklist-sheet"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", registry_pages.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/simulations/", budget_apis.SimulationView.as_view(), name="simulation"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
