"""The public concern form's one home: the form (forms.py), its serving on the concern form
page (views.py, attached in workflows/wagtail_hooks.py) and the intake behind it: abuse
limits, registration and the team's notification (services.py).

The page itself (pages.models.ConcernFormPage) is content: its texts and the standard whose
teams receive the concerns. It knows nothing of this package.
"""
