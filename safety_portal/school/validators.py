import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# UK numbers as people write them (101 and 111 included): digits, spaces, +, brackets, hyphens,
# and an extension after "ext".
validate_phone = RegexValidator(
    re.compile(r"^\+?[0-9 ()\-]{3,20}( ?(ext\.?|x) ?[0-9]{1,6})?$", re.IGNORECASE),
    _("Enter a phone number using digits, spaces and + ( ) - only, for example 01234 567890 or +44 1234 567890."),
)

# The six-digit unique reference number from Get Information About Schools.
validate_urn = RegexValidator(r"^[0-9]{6}$", _("A URN is six digits, for example 123456."))
