"""Read the source tables (one reader module per source) and turn them into one named graph
per source, with provenance. :mod:`pvd_kg.ingest.build` runs them all."""
