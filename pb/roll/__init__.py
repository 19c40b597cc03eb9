"""The voter roll: residents from the household register, accounts confirmed against it, who
has voted (one voice per person, whatever the channel), turnout against it.

Unlike the other blueprints, importing the package does not import its views: other domains'
views and services use the roll's services (the account page, the vote), and the roll's views
use theirs. ``create_app`` imports ``pb.roll.views`` when it registers the blueprint.
"""

from flask import Blueprint

bp = Blueprint("roll", __name__)
