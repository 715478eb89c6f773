"""Actions of the privacy guard: a file's scan and reviews, and an editor's decision."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.anticorruption.logic import schema
from ckanext.anticorruption.privacy import guard as privacy_guard
from ckanext.anticorruption.uploads import run

__all__ = ["anticorruption_privacy_review", "anticorruption_privacy_show"]


def _privacy_state_or_404(resource_id: str) -> Any:
    state = privacy_guard.state_of(resource_id)
    if state is None:
        raise tk.ObjectNotFound(tk._("This file has not been scanned for personal data"))
    return state


def _check_again(context: Context, resource_id: str) -> None:
    """Run the released file's check again, as any change of a file does (see uploads.run.start)."""
    internal = {"user": context.get("user"), "ignore_auth": True}
    resource = tk.get_action("resource_show")(internal, {"id": resource_id})
    package = tk.get_action("package_show")(dict(internal), {"id": resource["package_id"]})
    _, reason = run.start(package, resource, user=context.get("user"), force=True)
    run.tell_publisher(reason)


@tk.side_effect_free
@validate(schema.id_schema)
def anticorruption_privacy_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The privacy scan of a file and its reviews, for the editors of its dataset.

    ``state`` is ``clean``, ``warned``, ``scanning``, ``quarantined``,
    ``confirmed`` or ``not_scanned``; ``findings`` lists per column the kinds
    of personal identifiers found, with counts, masked examples and the first
    rows; ``reviews`` who decided what, when and why, newest first.

    :param id: the resource id
    """
    tk.check_access("anticorruption_privacy_show", context, data_dict)
    state = _privacy_state_or_404(data_dict["id"])
    return {**state.as_dict(), "hidden": state.state in privacy_guard.HIDDEN_STATES,
            "reviews": privacy_guard.reviews_of(data_dict["id"])}


@validate(schema.privacy_review_schema)
def anticorruption_privacy_review(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """An editor of the agency confirms that a file with privacy findings may be published.

    The decision, its author, the time, the justification and the findings
    reviewed are recorded. A quarantined file becomes visible again, until
    its file changes. To remove the data instead, replace the file: the new
    file is scanned again (the replacement is recorded as a review too).

    :param id: the resource id
    :param decision: ``confirm``
    :param justification: why publishing these data is lawful or why they are not personal data
    """
    tk.check_access("anticorruption_privacy_review", context, data_dict)
    state = _privacy_state_or_404(data_dict["id"])
    if state.state not in ("quarantined", "warned"):
        raise tk.ValidationError({"id": [tk._("This file has no privacy findings to review")]})
    was_hidden = state.state in privacy_guard.HIDDEN_STATES
    review = privacy_guard.confirm(state, context.get("user"), data_dict["justification"])
    if was_hidden:
        _check_again(context, state.resource_id)
    return {**state.as_dict(), "hidden": False, "review": review.as_dict()}
