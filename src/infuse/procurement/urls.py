from django.urls import path

from . import carbon_views, category_views, contract_views, redflag_views, supplier_views, views

app_name = "procurement"

urlpatterns = [
    path("spend/", views.spend_overview, name="spend"),
    path("spend/chart/<str:kind>.svg", views.spend_chart, name="spend-chart"),
    path("spend/local-share.csv", views.spend_local_share_export, name="spend-local-export"),
    path("spend/lines/", views.spend_lines, name="spend-lines"),
    path("spend/duplicates/", views.spend_duplicates, name="spend-duplicates"),
    path("spend/region/", views.spend_region, name="spend-region"),
    path("spend/files/", views.spend_files, name="spend-files"),
    path("spend/files/<int:batch_id>/", views.spend_file_detail, name="spend-file"),
    path(
        "spend/files/<int:batch_id>/columns/", views.spend_file_mapping, name="spend-file-mapping"
    ),
    path(
        "spend/files/<int:batch_id>/replace/",
        views.spend_file_confirm_replace,
        name="spend-file-replace",
    ),
    path("spend/categories/<str:body_code>/", category_views.category_overview, name="categories"),
    path(
        "spend/categories/<str:body_code>/rules/add/",
        category_views.category_rule_edit,
        name="category-rule-add",
    ),
    path(
        "spend/categories/<str:body_code>/rules/<int:rule_id>/",
        category_views.category_rule_edit,
        name="category-rule",
    ),
    path(
        "spend/categories/<str:body_code>/correct/",
        category_views.category_correct,
        name="category-correct",
    ),
    path(
        "spend/categories/<str:body_code>/corrections/<int:correction_id>/undo/",
        category_views.category_correction_undo,
        name="category-correction-undo",
    ),
    path("contracts/", contract_views.contracts, name="contracts"),
    path("contracts/<int:contract_id>/", contract_views.contract_detail, name="contract"),
    path("contracts/loading/", contract_views.contract_imports, name="contract-imports"),
    path("contracts/spend/<str:body_code>/", contract_views.contract_spend, name="contract-spend"),
    path(
        "contracts/red-flags/<str:body_code>/",
        redflag_views.red_flags,
        name="contract-red-flags",
    ),
    path(
        "contracts/red-flags/<str:body_code>/buyers/",
        redflag_views.red_flags_by_party,
        {"party": "buyers"},
        name="red-flags-buyers",
    ),
    path(
        "contracts/red-flags/<str:body_code>/suppliers/",
        redflag_views.red_flags_by_party,
        {"party": "suppliers"},
        name="red-flags-suppliers",
    ),
    path(
        "contracts/red-flags/<str:body_code>/settings/",
        redflag_views.red_flag_settings,
        name="red-flag-settings",
    ),
    path("carbon/", carbon_views.carbon_overview, name="carbon"),
    path("carbon/chart.svg", carbon_views.carbon_chart, name="carbon-chart"),
    path("carbon/lines/", carbon_views.carbon_lines, name="carbon-lines"),
    path("carbon/hot-spots/", carbon_views.carbon_hot_spots, name="carbon-hot-spots"),
    path(
        "carbon/<str:body_code>/scenarios/",
        carbon_views.carbon_scenarios,
        name="carbon-scenarios",
    ),
    path(
        "carbon/<str:body_code>/scenarios/<int:scenario_id>/chart.svg",
        carbon_views.carbon_scenario_chart,
        name="carbon-scenario-chart",
    ),
    path("carbon/factors/", carbon_views.carbon_factor_sets, name="carbon-factor-sets"),
    path("carbon/factors/<int:set_id>/", carbon_views.carbon_factor_set, name="carbon-factor-set"),
    path("carbon/<str:body_code>/rules/", carbon_views.carbon_rules, name="carbon-rules"),
    path(
        "carbon/<str:body_code>/suppliers/",
        carbon_views.carbon_suppliers,
        name="carbon-suppliers",
    ),
    path(
        "carbon/<str:body_code>/return.<str:fmt>",
        carbon_views.carbon_return,
        name="carbon-return",
    ),
    path("suppliers/", supplier_views.suppliers, name="suppliers"),
    path("suppliers/<str:body_code>/merge/", supplier_views.supplier_merge, name="supplier-merge"),
    path(
        "suppliers/<str:body_code>/decisions/",
        supplier_views.supplier_decisions,
        name="supplier-decisions",
    ),
    path(
        "suppliers/<str:body_code>/decisions/<int:decision_id>/undo/",
        supplier_views.supplier_decision_undo,
        name="supplier-decision-undo",
    ),
    path("suppliers/<str:body_code>/lists/", supplier_views.supplier_lists, name="supplier-lists"),
    path(
        "suppliers/<str:body_code>/lists/<int:list_id>/withdraw/",
        supplier_views.supplier_list_withdraw,
        name="supplier-list-withdraw",
    ),
    path(
        "suppliers/<str:body_code>/<str:cluster_id>/",
        supplier_views.supplier_detail,
        name="supplier",
    ),
    path(
        "suppliers/<str:body_code>/<str:cluster_id>/split/",
        supplier_views.supplier_split,
        name="supplier-split",
    ),
    path(
        "suppliers/<str:body_code>/<str:cluster_id>/confirm/",
        supplier_views.supplier_confirm,
        name="supplier-confirm",
    ),
]
