"""The consent purposes a new school starts with, written for Safety Portal. Plain data, so the
migration that installs them can use it too."""

STARTER_PURPOSES = [
    # name, description, renew each year
    ("School website", "Photos and videos of pupils at work and play on the school's public website. "
     "Anyone on the internet can see them; we never put a pupil's full name next to an image.", False),
    ("Official school social media", "Photos and short videos on the school's own social media accounts. "
     "These can be shared and copied by others beyond the school's control.", False),
    ("Newsletters and prospectus", "Images in printed and emailed newsletters to families and in the "
     "school prospectus given to visitors and new families.", False),
    ("Local press", "Newspapers or local news websites covering a school event. Journalists may ask to "
     "name pupils; we will contact you before any name is given.", False),
    ("Displays inside school", "Photos on classroom and corridor displays, seen by pupils, staff and "
     "visitors to the school.", False),
    ("Recorded or live video lessons", "Your child may appear in lessons that are recorded or streamed "
     "to pupils learning at home. Recordings are kept on school systems only.", False),
    ("School photographer", "Class and individual photographs taken by the school's photographer, "
     "offered for families to buy.", True),
]
