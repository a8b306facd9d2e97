from django.urls import path

from apps.attendants.api import views

app_name = "attendants-api"

urlpatterns = [
    path("auto-attendant", views.AutoAttendantListView.as_view(), name="list"),
    path("auto-attendant/specialmode", views.SpecialModeView.as_view(), name="specialmode"),
    path("auto-attendant/<str:attendant>/special", views.SpecialAttendantView.as_view(), name="special"),
]
