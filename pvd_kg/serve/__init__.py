"""The web app: SPARQL 1.1 endpoint, dereferenceable linked data and web interface (``pvd-kg serve``).

Import :mod:`.app` for :func:`~.app.create_app` and :func:`~.app.serve`; this package file stays
empty so that worker processes (:mod:`.worker`) start without importing the web stack.
"""
