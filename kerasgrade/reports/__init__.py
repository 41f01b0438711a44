"""What a grading run shows and writes: the terminal, the gradebook files, feedback, figures, report.html.

Every report is a function of the results (``kerasgrade.result``); none grades anything.
"""
