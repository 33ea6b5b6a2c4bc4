"""Where the domain apps add to the school's own pages.

The domain apps import school, never the other way round (DESIGN.md), so school cannot call
them. Instead each app registers here from its AppConfig.ready():

- dashboard_panel_providers: fn(user) -> [(position, Panel)] for the home page;
- pupil_section_providers: fn(user, pupil) -> (template name, context) or None, for a pupil's page;
- demo_loaders: fn(today) -> number of records created, run after the school's own demo data;
- after_login_redirects: fn(user, next_url) -> an address to show first after signing in, or None.
"""

dashboard_panel_providers = []
pupil_section_providers = []
demo_loaders = []
after_login_redirects = []
