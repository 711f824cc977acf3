"""The os1 server: the web app, a REST API and a live WebSocket over the same companion.

``create_app`` builds the FastAPI application; ``os1 serve`` runs it with
uvicorn. See DESIGN.md ("The server") for the routes, the ``os1.v1``
protocol and how people and devices sign in.
"""

from os1.server.app import create_app
from os1.server.protocol import PROTOCOL

__all__ = ["PROTOCOL", "create_app"]
