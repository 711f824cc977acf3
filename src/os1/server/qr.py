"""QR codes for pairing: a phone's camera reads the sign-in link instead of a typed code."""

from __future__ import annotations

import base64

MODULE_PX = 8
"""Pixels per QR module: large enough for a phone camera held at arm's length."""
QUIET_PX = 4 * MODULE_PX
"""The blank margin QR readers need around the code (four modules)."""


def qr_data_url(text: str) -> str:
    """A PNG of ``text`` as a QR code, as a ``data:`` URL the page shows without a request.

    Made on the server with OpenCV (already loaded for vision), so the web app
    carries no QR library and nothing is fetched from elsewhere.
    """
    import cv2

    modules = cv2.QRCodeEncoder.create().encode(text)
    image = cv2.resize(modules, None, fx=MODULE_PX, fy=MODULE_PX, interpolation=cv2.INTER_NEAREST)
    image = cv2.copyMakeBorder(
        image, QUIET_PX, QUIET_PX, QUIET_PX, QUIET_PX, cv2.BORDER_CONSTANT, value=255
    )
    ok, png = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("OpenCV could not write the QR code as a PNG.")
    return "data:image/png;base64," + base64.b64encode(png.tobytes()).decode("ascii")
