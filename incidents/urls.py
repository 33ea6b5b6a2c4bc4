from incidents import urls_case, urls_listing, urls_report

app_name = "incidents"
urlpatterns = [*urls_report.urlpatterns, *urls_case.urlpatterns, *urls_listing.urlpatterns]
