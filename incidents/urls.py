from incidents import urls_case, urls_listing, urls_report
from incidents.access import closed_to_governors

app_name = "incidents"
urlpatterns = [*urls_report.urlpatterns, *urls_case.urlpatterns, *urls_listing.urlpatterns]
# Governors never see case work: for them the incident log does not exist (404), not merely refused.
for pattern in urlpatterns:
    pattern.callback = closed_to_governors(pattern.callback)
