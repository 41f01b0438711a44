"""Facts the judge reads from the source: written in any of the ways learners write them."""
import textwrap

import pytest

from kerasgrade.grading.source_facts import Source


def src(code: str) -> Source:
    return Source(textwrap.dedent(code))


@pytest.mark.parametrize("imports, base", [
    ("import tensorflow as tf", "tf.keras.Model"),
    ("import keras", "keras.Model"),
    ("from tensorflow import keras", "keras.Model"),
    ("from keras import Model", "Model"),
    ("from tensorflow.keras import Model", "Model"),
    ("from tensorflow.keras.models import Model as M", "M"),
    ("import keras", "keras.models.Model"),
])
def test_a_model_base_is_recognised_through_the_files_imports(imports, base):
    s = src(f"{imports}\nclass Net({base}):\n    pass\n")
    assert s.resolves_to("Net", "Model")
    assert not s.resolves_to("Net", "Layer")


def test_a_base_of_the_same_file_counts_and_a_stranger_does_not():
    s = src("""
        import keras
        class Base(keras.Model):
            pass
        class Net(Base):
            pass
        class Other(object):
            pass
        class Loop(Loop2):
            pass
        class Loop2(Loop):
            pass
    """)
    assert s.resolves_to("Net", "Model")
    assert not s.resolves_to("Other", "Model")
    assert not s.resolves_to("Loop", "Model")  # a cycle ends, answering no


def test_a_name_keras_that_is_not_imported_from_keras_is_not_keras():
    s = src("class Model: pass\nclass Net(Model):\n    pass\n")
    assert not s.resolves_to("Net", "Model")


@pytest.mark.parametrize("init, first", [
    ("super().__init__(**kwargs)\nself.a = 1", True),
    ('"""Doc."""\nsuper().__init__(**kwargs)', True),
    ("super(Net, self).__init__(**kwargs)", True),
    ("keras.Model.__init__(self, **kwargs)", True),
    ("super().__init__(name=kwargs.get('name'))", True),
    ("self.a = 1\nsuper().__init__(**kwargs)", False),
])
def test_the_parent_constructor_is_found_first_in_its_spellings(init, first):
    body = textwrap.indent(init, " " * 8)
    s = Source("import keras\nclass Net(keras.Model):\n    @property\n    def size(self):\n        return 1\n\n"
               f"    def __init__(self, units=3, **kwargs):\n{body}\n\n"
               "    @tf.function\n    def call(self, x):\n        return x\n")
    call = s.super_call("Net")
    assert call.found and call.first is first


def test_init_inherited_from_a_class_of_the_same_file_is_read_there():
    s = src("""
        import keras
        class Base(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
        class Net(Base):
            def call(self, x):
                return x
    """)
    assert s.method("Net", "__init__") is not None and s.super_call("Net").first


def test_a_file_python_cannot_parse_has_no_classes_and_close_names_help_a_typo():
    assert Source("class (:").classes() == {}
    assert src("import keras\nclass SimpleMlp(keras.Model):\n    pass\n").close_names("SimpleMLP") == ["SimpleMlp"]

CODE = '''
import tensorflow as tf
from tensorflow import function as compiled


class Net(tf.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    @tf.function
    def call(self, inputs):
        return inputs

    @compiled(reduce_retracing=True)
    def embed(self, x):
        return x

    @staticmethod
    def helper(x):
        return x
'''


def test_tf_function_on_call_leaves_the_super_call_found_first():
    call = Source(CODE).super_call("Net")
    assert call.found and call.first


def test_a_decoy_class_under_if_false_is_not_the_class_of_the_module():
    s = src("""
        import keras
        if False:
            class SimpleMLP(keras.Model):
                def __init__(self, **kwargs):
                    super().__init__(**kwargs)
        class Real(keras.Model):
            pass
        SimpleMLP = Real
    """)
    assert s.class_def("SimpleMLP") is None and s.class_def("Real") is not None


def test_a_class_bound_again_after_its_statement_is_seen():
    s = src("""
        import keras
        class SimpleMLP(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
        def other(self, **kwargs):
            pass
        SimpleMLP.__init__ = other
    """)
    assert s.rebound("SimpleMLP") == 8  # the line of `SimpleMLP.__init__ = other`
    assert src("import keras\nclass A(keras.Model):\n    pass\nx = A\n").rebound("A") == 0


def test_a_base_bound_to_a_module_level_alias_is_followed():
    s = src("""
        import tensorflow as tf
        Model = tf.keras.models.Model
        Base = Model
        class Net(Base):
            pass
    """)
    assert s.resolves_to("Net", "Model") and s.inherits("Net", "Layer") is False


def test_an_alias_bound_twice_is_not_believed():
    s = src("""
        import tensorflow as tf
        Model = tf.keras.Model
        class Net(Model):
            pass
        def swap():
            global Model
            Model = object
    """)
    assert not s.resolves_to("Net", "Model") and s.inherits("Net", "Model") is None


@pytest.mark.parametrize("code, answer", [
    ("import keras\nclass Net(object): pass", False),
    ("import keras\nclass Net(keras.layers.Layer): pass", False),
    ("class Model: pass\nclass Net(Model): pass", False),
    ("import keras\nBase = make_base()\nclass Net(Base): pass", None),
    ("import keras\nclass Net(registry['model']): pass", None),
    ("import keras\nclass Net(helpers.Model): pass", None),
])
def test_a_base_the_text_cannot_settle_is_left_to_the_run(code, answer):
    assert Source(code).inherits("Net", "Model") is answer


def test_method_lines_name_each_def_and_its_decorators_through_same_file_bases():
    s = src("""
        import keras
        class Base(keras.Model):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
        class Net(Base):
            @property
            def size(self):
                return 1

            @tf.function
            def call(self, x):
                return x
    """)
    assert s.method_lines("Net") == {"size": {7, 8}, "call": {11, 12}, "__init__": {4}}


@pytest.mark.parametrize("imports", ["import tensorflow as tf", "from tensorflow import keras as tf"])
def test_a_keras_layer_reached_through_tf_keras_is_known_and_not_a_model(imports):
    assert Source(f"{imports}\nclass Net(tf.keras.layers.Dense): pass").inherits("Net", "Model") is False


def test_a_lattice_of_diamonds_is_read_in_its_size_not_its_paths():
    lines = ["import keras", "class X0: pass", "class Y0: pass"]
    for i in range(1, 60):  # 2**59 paths from X59 down to X0
        lines += [f"class X{i}(X{i - 1}, Y{i - 1}): pass", f"class Y{i}(X{i - 1}, Y{i - 1}): pass"]
    s = Source("\n".join(lines))
    assert s.inherits("X59", "Model") is False
    assert s.method("X59", "__init__") is None and s.method_lines("X59") == {}


def test_class_statements_that_name_each_other_end_where_the_cycle_closes():
    s = src("""
        import keras
        class A(B):
            def call(self, x):
                return x
        class B(A):
            def __init__(self):
                pass
    """)
    assert s.inherits("A", "Model") is False and s.method("A", "__init__").lineno == 7
    assert s.method_lines("A") == {"call": {4}, "__init__": {7}}


def test_a_method_defined_twice_is_read_where_the_class_keeps_it_the_last_def():
    s = src("""
        import keras
        class Net(keras.Model):
            def __init__(self, **kwargs):
                pass

            def __init__(self, **kwargs):
                super().__init__(**kwargs)
    """)
    assert s.method_lines("Net") == {"__init__": {7}} and s.super_call("Net").first
