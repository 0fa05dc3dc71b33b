from django.urls import path

from onewindow.policies.views import calculator as calculator_views  # -- calculator

app_name = "policies"

# Each part of the app adds its paths in its own section (literal paths before patterns).
urlpatterns: list = []

# -- profile
from onewindow.policies.views import profile as profile_views  # noqa: E402  # -- profile

urlpatterns += [  # -- profile
    path("policies/profile/", profile_views.profile, name="profile"),  # -- profile
    path(  # -- profile
        "policies/enterprises/<str:uscc>/",  # -- profile
        profile_views.enterprise_profile,  # -- profile
        name="enterprise_profile",  # -- profile
    ),  # -- profile
]  # -- profile

# -- facts import
from onewindow.policies.views import profile_import as import_views  # noqa: E402

urlpatterns += [
    path("policies/manage/facts/import/", import_views.facts_import, name="facts_import"),
    path(
        "policies/manage/facts/import/template/",
        import_views.facts_import_template,
        name="facts_import_template",
    ),
]

# -- officer
from django.urls import re_path  # noqa: E402

from onewindow.policies.views import catalogue as catalogue_views  # noqa: E402

#: An item code in a URL: upper-case letters, digits and "-" (so no lower-case literal path
#: of another part, such as ``policies/profile/``, is ever taken for a code).
_CODE = r"(?P<code>[A-Z0-9][A-Z0-9-]{1,39})"

urlpatterns += [
    path("policies/", catalogue_views.policy_list, name="list"),
    path("policies/manage/", catalogue_views.manage, name="manage"),
    path("policies/manage/new/", catalogue_views.policy_new, name="policy_new"),
    path("policies/manage/<int:pk>/edit/", catalogue_views.policy_edit, name="policy_edit"),
    path("policies/manage/<int:pk>/items/new/", catalogue_views.item_new, name="item_new"),
    re_path(rf"^policies/manage/items/{_CODE}/$", catalogue_views.item_manage, name="item_manage"),
    re_path(
        rf"^policies/manage/items/{_CODE}/draft/$", catalogue_views.draft_edit, name="draft_edit"
    ),
    re_path(
        rf"^policies/manage/items/{_CODE}/versions/(?P<number>[0-9]{{1,6}})/"
        r"(?P<action>publish|retire|new_draft)/$",
        catalogue_views.version_action,
        name="version_action",
    ),
    re_path(rf"^policies/{_CODE}/$", catalogue_views.policy_detail, name="detail"),
]

# -- calculator
urlpatterns += [
    path("policies/calculator/", calculator_views.calculator_page, name="calculator"),
    path("policies/try/", calculator_views.try_page, name="try"),
    path(
        "policies/calculator/subscription/",
        calculator_views.subscription_toggle,
        name="subscription",
    ),
]

# -- redemption
from onewindow.policies.views import redemption as redemption_views  # noqa: E402

urlpatterns += [
    path("policies/redemptions/", redemption_views.my_redemptions, name="my_redemptions"),
    path(
        "policies/redemptions/<str:number>/", redemption_views.my_redemption, name="my_redemption"
    ),
    path(
        "policies/redemptions/<str:number>/actions/<str:action>/",
        redemption_views.redemption_action,
        name="redemption_action",
    ),
    path("policies/manage/redemptions/", redemption_views.redemption_desk, name="redemption_desk"),
    path(
        "policies/manage/redemptions/<str:number>/",
        redemption_views.redemption_manage,
        name="redemption_manage",
    ),
    path("policies/publicity/", redemption_views.publicity_list, name="publicity_list"),
    path(
        "policies/publicity/<int:pk>/", redemption_views.publicity_detail, name="publicity_detail"
    ),
]

# -- applications and supervision
from onewindow.policies.views import applications as application_views  # noqa: E402
from onewindow.policies.views import figures as figure_views  # noqa: E402

urlpatterns += [
    path("policies/apply/<int:pk>/", application_views.apply_start, name="apply_start"),
    path("policies/figures/", figure_views.figures, name="figures"),
    path("policies/figures/<str:code>/", figure_views.figures_item, name="figures_item"),
    path(
        "policies/figures/<str:code>/export/",
        figure_views.figures_export,
        name="figures_export",
    ),
]
