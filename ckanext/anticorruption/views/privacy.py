"""Pages of the privacy guard: an editor's review of a file with findings."""
from __future__ import annotations

from flask import Response

import ckan.plugins.toolkit as tk

from ckanext.anticorruption.views import anticorruption, context


@anticorruption.route("/validation/<resource_id>/privacy-review", methods=["POST"])
def privacy_review(resource_id: str) -> Response:
    """An editor confirms a file with privacy findings, with a justification."""
    try:
        tk.get_action("anticorruption_privacy_review")(context(), {
            "id": resource_id, "decision": "confirm",
            "justification": tk.request.form.get("justification", ""),
        })
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only editors of the dataset can review its files"))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Resource not found"))
    except tk.ValidationError as e:
        tk.h.flash_error(" ".join(str(m) for msgs in e.error_dict.values() for m in msgs))
    else:
        tk.h.flash_success(tk._("Your review was recorded: the file is public."))
    return tk.redirect_to("anticorruption.validation_report", resource_id=resource_id)
