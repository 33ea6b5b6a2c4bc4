from celery import shared_task

from safety_portal.celery import RETRY_ON_OUTAGE
from safety_portal.reports import services


# No autoretry: a failure is recorded on the report in words and the DSL tries again from its page.
# The soft limit raises inside the task, so an over-long render ends as "could not be prepared"
# instead of "being prepared" for ever; a report left behind by a lost worker is given up after
# 15 minutes (services.GENERATING_GIVES_UP_AFTER).
@shared_task(soft_time_limit=300, time_limit=330,
             no_retry_reason="a failure is shown on the report; the DSL asks again from its page")
def report_generate(report_id):
    """Generate one requested report; a report already generated (a redelivered task) is left alone."""
    report = services.report_generate(report_id)
    return report.state if report is not None else None


# Renders no PDF itself (each draft queues report_generate), so the default time limits suit it.
@shared_task(**RETRY_ON_OUTAGE)
def term_end_reports():
    """Daily: a draft for each term ended a week ago, once per term however often this runs."""
    return services.term_end_drafts()
