"""The commands of the ``kerasgrade`` tool, one module each; ``cli`` parses the arguments and calls them.

``mutate`` lives with the mutants (``kerasgrade.mutation.command``), ``collect`` with the intake
(``kerasgrade.intake``).
"""
