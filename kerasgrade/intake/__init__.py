"""Taking submissions in from the platforms that hand them over: Canvas, Gradescope, nbgrader, folders.

``take_in`` (``kerasgrade collect``) turns a platform's download into
``SUBMISSIONS/<student>/<exercise>.py|.ipynb`` and ``SUBMISSIONS/manifest.json``; the
manifest carries the platform ids and late flags back to the gradebook and the exports.
One job per module: ``archive`` (reading untrusted zips and folders), ``canvas``,
``gradescope``, ``nbgrader_exchange``, ``folders`` (each platform's layout), ``upload``
(what they hand over), ``matching`` (file name to exercise), ``manifest`` (the record),
``summary`` (what the instructor is told), ``pipeline`` (``take_in``: the steps, in order).

The package itself imports nothing: ``from kerasgrade.intake.pipeline import take_in``
(a package ``__init__`` that imported its own modules would make each of them import it
back, a circle).
"""
