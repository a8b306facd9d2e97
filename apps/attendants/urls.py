"""Pages for auto-attendants, the special mode and its schedule (mounted at /attendants/)."""

from django.urls import path

from apps.attendants import schedule_views, views

app_name = "attendants"

urlpatterns = [
    path("", views.AttendantListView.as_view(), name="attendant_list"),
    path("add/", views.AttendantCreateView.as_view(), name="attendant_add"),
    path("specialmode/", views.SpecialModeView.as_view(), name="special_mode"),
    path("special/", views.SpecialAttendantView.as_view(), name="special_attendant"),
    path("schedule/add/", schedule_views.PeriodCreateView.as_view(), name="period_add"),
    path("schedule/<int:pk>/", schedule_views.PeriodUpdateView.as_view(), name="period_edit"),
    path("schedule/<int:pk>/delete/", schedule_views.PeriodDeleteView.as_view(), name="period_delete"),
    path("<int:pk>/", views.AttendantUpdateView.as_view(), name="attendant_edit"),
    path("<int:pk>/delete/", views.AttendantDeleteView.as_view(), name="attendant_delete"),
    path("<int:pk>/prompt/", views.AttendantPromptView.as_view(), name="attendant_prompt"),
]
