"""The service's own attachment store: files kept by their sha256 under
``<var_dir>/attachments``, written atomically (a temporary file renamed into place), so a
reader never sees half a file and the same file stored twice is kept once."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AttachmentStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def put(self, content: bytes) -> str:
        """Store ``content``; returns its sha256 (the key to read it back)."""
        digest = hashlib.sha256(content).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest

    def get(self, digest: str) -> bytes:
        content = self._path(digest).read_bytes()
        if hashlib.sha256(content).hexdigest() != digest:
            raise OSError(f"attachment {digest} is damaged (its sha256 differs)")
        return content

    def _path(self, digest: str) -> Path:
        if not SHA256.match(digest):
            raise ValueError("not a sha256")
        return self.root / digest[:2] / digest
