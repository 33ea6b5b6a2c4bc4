"""Each incident type's response procedure, as the checklist copied onto a case at triage.

Drawn from the schools' online-safety policies (responding to nudes and semi-nudes, online
child sexual abuse, indecent images, radicalisation, cyberbullying, online hate, filtering
breaches, staff misuse), written in the portal's own words. Keys are shared between types
where the step is the same, so a step already decided survives a change of type.
"""

from django.utils.translation import gettext_lazy as _

from incidents.models import IncidentType

T = IncidentType

# Steps that several procedures share.
NOTIFY_DSL = ("notify_dsl", _("Make sure the Designated Safeguarding Lead knows about the concern."))
SECURE_DEVICE = ("secure_device", _("Take any device involved and lock it away securely; do not search it for "
                                    "images."))
RISK_ASSESSMENT = ("risk_assessment", _("Assess the risk to each child involved, including any vulnerabilities "
                                        "and what other agencies already know."))
INFORM_PARENTS = ("inform_parents", _("Tell the parents or carers what happened and how the school is handling it, "
                                      "unless doing so would put a child at risk (record why not)."))
SUPPORT = ("support", _("Offer support to the children involved: pastoral care, counselling, a trusted adult to "
                        "talk to."))
SANCTIONS = ("sanctions", _("Decide any sanctions under the behaviour policy, taking care not to cause further "
                            "harm to anyone who was targeted."))
REVIEW = ("review", _("Review how the case was handled and update school procedures if anything should change."))
UNSURE_CRIME = ("advice_if_unsure", _("If it is unclear whether a crime was committed, ask the education "
                                      "safeguarding team or the police for advice."))

PROCEDURES = {
    T.NUDES: [
        NOTIFY_DSL,
        ("do_not_view", _("Do not view, copy, forward, print or store the images, and do not ask a child to send "
                          "or show them. If they were viewed, record who, when and why on this case.")),
        SECURE_DEVICE,
        ("isolate_on_network", _("If the images are on the school network or a school device, block access and "
                                 "isolate them.")),
        RISK_ASSESSMENT,
        ("referral_decision", _("Decide whether to refer to children's social care and/or the police, and record "
                                "the decision and the reason for it.")),
        INFORM_PARENTS,
        SUPPORT,
        ("deletion", _("Consider deleting the images only once other agencies confirm they are not needed and "
                       "deleting them puts no child at risk.")),
        SANCTIONS,
        REVIEW,
    ],
    T.GROOMING: [
        NOTIFY_DSL,
        SECURE_DEVICE,
        ("report_police_ceop", _("Report to the police on 101 (999 if a child is in immediate danger) or to CEOP "
                                 "through its online reporting form.")),
        UNSURE_CRIME,
        RISK_ASSESSMENT,
        ("social_care_referral", _("Decide whether to refer to children's social care and record the reason.")),
        ("empower_child", _("Where it is right for them, help the child report the concern themselves and involve "
                            "them in decisions.")),
        INFORM_PARENTS,
        SUPPORT,
        ("other_schools", _("If pupils at other schools may have been targeted, ask the education safeguarding "
                            "team to alert them.")),
        REVIEW,
    ],
    T.INDECENT_IMAGES: [
        NOTIFY_DSL,
        ("do_not_view", _("Do not view, copy, forward, print or store the images. Keep a copy only if the police "
                          "ask for one. If they were viewed, record who, when and why on this case.")),
        SECURE_DEVICE,
        ("report_iwf", _("Report the web addresses of any suspected images to the Internet Watch Foundation.")),
        ("report_police", _("Tell the police on 101 (999 if a child is in immediate danger).")),
        ("lado_if_staff", _("If a member of staff is involved, tell the LADO and follow the procedure for "
                            "allegations against staff.")),
        ("delete_copies", _("Make sure any other copies, for example in emails, are deleted once the police "
                            "agree.")),
        ("social_care_referral", _("Decide whether to refer to children's social care and record the reason.")),
        INFORM_PARENTS,
        SUPPORT,
        REVIEW,
    ],
    T.RADICALISATION: [
        NOTIFY_DSL,
        ("record_evidence", _("Note what was seen or said, where and when, without sharing any extremist "
                              "material further.")),
        RISK_ASSESSMENT,
        ("prevent_referral", _("Decide whether to refer to Prevent (Channel) and record the decision and the "
                               "reason.")),
        ("police_if_danger", _("Call the police on 999 if anyone is in immediate danger.")),
        ("check_filtering", _("Ask the filtering provider to block the content and check the filtering logs.")),
        INFORM_PARENTS,
        SUPPORT,
        REVIEW,
    ],
    T.CYBERBULLYING: [
        ("keep_evidence", _("Keep a record of the bullying as evidence: screenshots, dates, account names. Ask the "
                            "family to keep one too.")),
        ("identify", _("Find out who was involved: check school system logs and talk to witnesses.")),
        ("remove_content", _("Ask those involved to remove the content; if they will not, report it to the "
                             "platform.")),
        ("block_report", _("Help the child block the accounts involved and report them to the platform.")),
        UNSURE_CRIME,
        INFORM_PARENTS,
        SUPPORT,
        SANCTIONS,
        REVIEW,
    ],
    T.ONLINE_HATE: [
        ("keep_evidence", _("Keep a record of the content as evidence: screenshots, dates, account names.")),
        ("remove_content", _("Have the content removed: ask those involved, then report it to the platform.")),
        ("hate_crime_report", _("Decide whether to report it to the police as a hate incident or crime, and "
                                "record the reason.")),
        INFORM_PARENTS,
        SUPPORT,
        SANCTIONS,
        REVIEW,
    ],
    T.FILTERING_BREACH: [
        ("safeguarding_check", _("DSL: decide whether what was reached, or who reached it, raises a safeguarding "
                                 "concern; if so, change the type and follow that procedure too.")),
        ("report_url", _("Send the web address to the filtering provider so that it can be blocked.")),
        ("check_logs", _("Check the filtering and monitoring logs: who reached it, on which device, and how "
                         "often.")),
        ("illegal_content", _("If the content may be illegal, report it at once (IWF, police or CEOP) and do not "
                              "open it again.")),
        ("inform_parents", _("Tell the parents or carers of any child involved in the breach.")),
        ("review_filtering", _("Review the filtering settings with the technical staff and record any change.")),
    ],
    T.STAFF_MISUSE: [
        ("tell_headteacher", _("Make sure the headteacher knows (or the chair of governors if the concern is "
                               "about the headteacher).")),
        ("lado_consult", _("Discuss the concern with the LADO within one working day.")),
        ("managing_allegations", _("Follow the managing allegations against staff procedure and record each "
                                   "decision.")),
        ("secure_evidence", _("Secure any school device or account involved until advice has been taken.")),
        ("police_if_crime", _("Contact the police if a crime may have been committed.")),
        SUPPORT,
        REVIEW,
    ],
    T.DATA_BREACH: [
        ("contain", _("Contain the breach: recover or delete the data, change passwords, stop further sharing.")),
        ("tell_dpo", _("Tell the data protection officer straight away.")),
        ("assess_risk", _("Assess the risk to the people whose data was involved.")),
        ("ico_72_hours", _("Where the breach must be reported, report it to the ICO within 72 hours of finding "
                           "it.")),
        ("tell_affected", _("Tell the people affected if the risk to them is high.")),
        REVIEW,
    ],
    T.SCAMS_GAMBLING: [
        ("keep_evidence", _("Keep a record of what happened: messages, web addresses, any payments.")),
        ("block_report", _("Report the site or account to the platform and ask the filtering provider to block "
                           "it.")),
        ("money_lost", _("If money or account details were lost, tell the family to contact their bank and "
                         "Action Fraud.")),
        INFORM_PARENTS,
        SUPPORT,
        REVIEW,
    ],
    T.INAPPROPRIATE_CONTENT: [
        ("identify_content", _("Find out what was seen, where, and on which device.")),
        ("report_url", _("Send the web address to the filtering provider so that it can be blocked.")),
        ("illegal_content", _("If the content may be illegal, report it at once (IWF, police or CEOP) and do not "
                              "open it again.")),
        INFORM_PARENTS,
        SUPPORT,
        REVIEW,
    ],
    T.SEXUAL_HARASSMENT: [
        NOTIFY_DSL,
        ("keep_evidence", _("Record what happened without copying or sharing any sexual images.")),
        RISK_ASSESSMENT,
        ("referral_decision", _("Decide whether to refer to children's social care and/or the police, and record "
                                "the decision and the reason for it.")),
        INFORM_PARENTS,
        SUPPORT,
        SANCTIONS,
        REVIEW,
    ],
    T.NOT_SURE: [
        ("triage", _("Read the report, speak to the person who made it and decide which type of incident this "
                     "is.")),
        ("immediate_safety", _("Check that no child is in immediate danger; call 999 if one is.")),
        ("set_type", _("Set the type on this case so that its own procedure is added.")),
    ],
}


def steps_for(incident_type):
    """The type's steps as (key, text) pairs, in order."""
    return PROCEDURES.get(incident_type, PROCEDURES[IncidentType.NOT_SURE])
