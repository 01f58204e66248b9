from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.OrgTreeView.as_view(), name="tree"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("<int:pk>/", views.OrgDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.OrgEditView.as_view(), name="edit"),
]
