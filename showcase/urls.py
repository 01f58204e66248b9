from django.urls import path

from . import views, views_brand

app_name = "showcase"
urlpatterns = [
    path("", views.ShowcaseListView.as_view(), name="list"),
    path("cases/", views.LibraryView.as_view(), name="library"),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="detail"),
    path("items/<int:pk>/logo/", views.ItemLogoView.as_view(), name="logo"),
    path("items/<int:pk>/poster/", views.ItemPosterView.as_view(), name="poster"),
    path("brands/<uuid:lineage>/", views_brand.BrandStoryView.as_view(), name="brand"),
    path("brands/<uuid:lineage>/story/", views_brand.PublicBrandStoryView.as_view(), name="brand_story"),
    path("manage/", views.ManageView.as_view(), name="manage"),
    path("manage/<int:year>/pick/", views.PickView.as_view(), name="pick"),
    path("manage/items/<int:pk>/publish/", views.ItemActionView.as_view(action="publish"), name="publish"),
    path("manage/items/<int:pk>/unpublish/", views.ItemActionView.as_view(action="unpublish"), name="unpublish"),
    path("manage/items/<int:pk>/refresh/", views.ItemActionView.as_view(action="refresh"), name="refresh"),
    path("manage/booklets/", views.BookletListView.as_view(), name="booklets"),
    path("manage/booklets/<int:pk>/status/", views.BookletStatusView.as_view(), name="booklet_status"),
    path("manage/booklets/<int:pk>/file/", views.BookletFileView.as_view(), name="booklet_file"),
    path("manage/booklets/<int:pk>/retry/", views.BookletRetryView.as_view(), name="booklet_retry"),
    path("manage/bundle/<int:year>/", views.BundleView.as_view(), name="bundle"),
    path("manage/bundles/<int:pk>/status/", views.BundleStatusView.as_view(), name="bundle_status"),
    path("manage/bundles/<int:pk>/file/", views.BundleFileView.as_view(), name="bundle_file"),
    path("manage/bundles/<int:pk>/retry/", views.BundleRetryView.as_view(), name="bundle_retry"),
]
