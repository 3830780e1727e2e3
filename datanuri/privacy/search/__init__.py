"""The optimal lattice search behind :func:`datanuri.privacy.anonymize.anonymize`, in parts:

- :mod:`.frame`: the frequency table of quasi-identifier codes and per-level code maps;
- :mod:`.checks`: which classes pass the privacy model;
- :mod:`.loss`: loss models and their lattice-wide lower bounds;
- :mod:`.bounds`: suppression lower bounds from projections onto few columns;
- :mod:`.classes`: a node's classes counted from the frequency table (stopping early);
- :mod:`.rollup`: the roll-up cache of class tables and counting from a predecessor's table;
- :mod:`.lattice`: the lattice and the best-first search with predictive tagging;
- :mod:`.problem`: the parts put together (:class:`~.problem.Problem`) and the release.
"""
