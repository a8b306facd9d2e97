"""Pages for auto-attendants and the special mode (mounted at /attendants/)."""

from django.urls import path

from apps.attendants import views

app_name = "attendants"

urlpatterns = [
    path("", views.AttendantListView.as_view(), name="attendant_list"),
    path("add/", views.AttendantCreateView.as_view(), name="attendant_add"),
    path("specialmode/", views.SpecialModeView.as_view(), name="special_mode"),
    path("special/", views.SpecialAttendantView.as_view(), name="special_attendant"),
    path("<int:pk>/", views.AttendantUpdateView.as_view(), name="attendant_edit"),
    path("<int:pk>/delete/", views.AttendantDeleteView.as_view(), name="attendant_delete"),
    path("<int:pk>/prompt/", views.AttendantPromptView.as_view(), name="attendant_prompt"),
]
