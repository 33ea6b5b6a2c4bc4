from django.urls import path

from safety_portal.school.views import profile, pupils, staff, terms

app_name = "school"
urlpatterns = [
    path("profile/", profile.profile_edit, name="profile"),
    path("logo/", profile.logo, name="logo"),
    path("terms/", terms.term_list, name="terms"),
    path("terms/year/", terms.year_create, name="term_year_create"),
    path("terms/<int:pk>/", terms.term_edit, name="term_edit"),
    path("terms/<int:pk>/delete/", terms.term_delete_confirm, name="term_delete"),
    path("pupils/", pupils.pupil_list, name="pupils"),
    path("pupils/<int:pk>/", pupils.pupil_detail, name="pupil"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/new/", staff.staff_create, name="staff_create"),
    path("staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/send-link/", staff.staff_send_link, name="staff_send_link"),
]
