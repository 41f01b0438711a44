"""Hand-built results and gradebooks for the reporter tests (no TensorFlow needed)."""
from kerasgrade.result import GRADED, MISSING, CheckResult, ExerciseResult, Gradebook

LEARNER_LOSS = [1.1, 1.09, 1.09, 1.08, 1.08, 1.08]
REFERENCE_LOSS = [0.9, 0.4, 0.1, 0.03, 0.01, 0.005]


def check(name, passed, *, points=1.0, concept="binding through self", hidden=False, message=None, data=None):
    return CheckResult(name, name.replace("_", " ").capitalize(), concept, points if passed else 0.0, points,
                       passed, hidden, "" if passed else (message or f"{name} failed: fix it like so."),
                       data or {})


def result(student, exercise="ex01_first_model", *, fail=(), training_loss=None, status=GRADED, message=""):
    """A result for the three checks of a pretend exercise; ``fail`` names the failed ones."""
    if status == MISSING:
        return ExerciseResult(student, exercise, MISSING, message=message or "not handed in", max_score=4.0)
    checks = (
        check("binds_layers", "binds_layers" not in fail),
        check("output_shape", "output_shape" not in fail, concept="call() and output shapes", hidden=True),
        check("learns_blobs", "learns_blobs" not in fail, points=2.0, concept="training",
              data={"loss": training_loss or REFERENCE_LOSS},
              message="Training: after 8 epochs the accuracy is 0.33, below 0.9."),
    )
    return ExerciseResult(student, exercise, status, checks, message=message, file=f"/sub/{student}/{exercise}.py")


def sample_book() -> Gradebook:
    """Four students on two exercises: full marks, a training failure, a missing file, a <script> message."""
    book = Gradebook(["ex01_first_model", "ex02_config_and_super"], {"ex01_first_model": 1.0,
                                                                     "ex02_config_and_super": 3.0})
    rows = [
        result("alice"), result("alice", "ex02_config_and_super"),
        result("bob", fail=("learns_blobs",), training_loss=LEARNER_LOSS),
        result("bob", "ex02_config_and_super", fail=("output_shape",)),
        result("carol", fail=("binds_layers", "output_shape")),
        result("carol", "ex02_config_and_super", status=MISSING),
        ExerciseResult("dave", "ex01_first_model", GRADED, (
            check("binds_layers", False, message="<script>alert('x')</script> is not a layer"),
            check("output_shape", True, concept="call() and output shapes", hidden=True),
            check("learns_blobs", True, points=2.0, concept="training"))),
    ]
    for r in rows:
        book.results[(r.student, r.exercise)] = r
    return book
