"""Pages of appeals."""

from django.urls import path

from onewindow.appeals.views import knowledge

app_name = "appeals"

#: An appeal number: ``{zone code}-SQ{year}-{sequence}`` (services/common.py).
NUMBER = r"(?P<number>[A-Za-z0-9_]+-SQ\d{4}-\d+)"

urlpatterns: list = [
    # -- each part of the app adds its pages below --
    # -- knowledge base and duplicates
    path("appeals/knowledge/", knowledge.knowledge_list, name="knowledge_list"),
    path("appeals/knowledge/new/", knowledge.knowledge_new, name="knowledge_new"),
    path("appeals/knowledge/<int:pk>/", knowledge.knowledge_detail, name="knowledge_detail"),
    path("appeals/knowledge/<int:pk>/edit/", knowledge.knowledge_edit, name="knowledge_edit"),
]
