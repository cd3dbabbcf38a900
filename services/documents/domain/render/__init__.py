"""Renderers: pure functions from a validated payload to the bytes of a file.  A new kind
(binder, invoice, letters, PDF) plugs in with one entry in :data:`RENDERERS` and one in
the shared ``DOCUMENT_PAYLOADS``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

from services.documents.domain.render import (
    application_pdf, comparison_xlsx, proposal_docx, specifications_docx, specifications_xlsx, submission_letter,
)
from services.documents.domain.render.payloads import InvalidPayload, load_payload


class Renderer(NamedTuple):
    render: Callable[[dict], bytes]
    media_type: str
    extension: str


RENDERERS: dict[str, Renderer] = {
    "comparison_xlsx": Renderer(comparison_xlsx.render_comparison_xlsx, comparison_xlsx.MEDIA_TYPE, "xlsx"),
    "proposal_docx": Renderer(proposal_docx.render_proposal_docx, proposal_docx.MEDIA_TYPE, "docx"),
    "submission_letter": Renderer(submission_letter.render_submission_letter, submission_letter.MEDIA_TYPE, "docx"),
    "specifications": Renderer(specifications_docx.render_specifications_docx, specifications_docx.MEDIA_TYPE,
                               "docx"),
    "specifications_xlsx": Renderer(specifications_xlsx.render_specifications_xlsx, specifications_xlsx.MEDIA_TYPE,
                                    "xlsx"),
    "application": Renderer(application_pdf.render_application_pdf, application_pdf.MEDIA_TYPE, "pdf"),
}


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    media_type: str
    extension: str


def render(kind: str, payload: object) -> RenderedFile:
    """Validate ``payload`` against the contract for ``kind`` and render it.

    Raises :class:`InvalidPayload` when the request cannot be rendered as given."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise InvalidPayload(f"no renderer for document kind {kind!r}")
    data = load_payload(kind, payload)
    return RenderedFile(renderer.render(data), renderer.media_type, renderer.extension)


__all__ = ["RENDERERS", "InvalidPayload", "RenderedFile", "Renderer", "load_payload", "render"]
