"""Pages of shared identifiers: every dataset naming an organization's identifier."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.views import anticorruption, context


@anticorruption.route("/identifier/<scheme>/<path:identifier>")
def identifier_read(scheme: str, identifier: str) -> str:
    """Every dataset naming an organization's identifier; never a natural person's."""
    try:
        found = tk.get_action("anticorruption_identifier_show")(
            context(), {"scheme": scheme, "identifier": identifier})
    except tk.ObjectNotFound as e:
        return tk.abort(404, str(e.message) if getattr(e, "message", None) else tk._("Not found"))
    except tk.ValidationError as e:
        messages = [m for values in e.error_dict.values() for m in values]
        return tk.abort(400, " ".join(messages))
    return tk.render("anticorruption/identifier.html", {"found": found})
