"""The case page and the DSL's actions on it (included by incidents/urls.py)."""

from django.urls import path

from incidents.views import case

urlpatterns = [
    path("<int:pk>/", case.detail, name="detail"),
    path("<int:pk>/triage/", case.triage, name="triage"),
    path("<int:pk>/steps/<int:step_pk>/", case.step, name="step"),
    path("<int:pk>/chronology/", case.chronology_add, name="chronology_add"),
    path("<int:pk>/chronology/<int:entry_pk>/correct/", case.chronology_correct, name="chronology_correct"),
    path("<int:pk>/referrals/", case.referral_add, name="referral_add"),
    path("<int:pk>/parents/", case.parents_add, name="parents_add"),
    path("<int:pk>/imagery-viewed/", case.imagery_view_add, name="imagery_view_add"),
    path("<int:pk>/attachments/", case.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", case.attachment, name="attachment"),
    path("<int:pk>/close/", case.close, name="close"),
    path("<int:pk>/reopen/", case.reopen, name="reopen"),
]
