"""The mutation operators, each on small snippets in several styles (no TensorFlow needed)."""
import ast
import textwrap

import pytest

from kerasgrade.mutation.operators import OPERATORS, mutants, normalised

TF_STYLE = '''
import tensorflow as tf


class Net(tf.keras.Model):
    """A docstring."""

    def __init__(self, units=8, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.hidden = tf.keras.layers.Dense(units, activation="relu")
        self.out = tf.keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs):
        return self.out(self.hidden(inputs))
'''

KERAS_STYLE = '''
import keras
from keras import layers


class Net(keras.Model):
    def __init__(self, units: int = 8, num_classes=3, **options):
        super(Net, self).__init__(**options)
        self.hidden = layers.Dense(units=units, activation=keras.activations.relu)
        self.out = layers.Dense(num_classes, activation="softmax")

    def call(self, x, training=None):
        h = self.hidden(x)
        return self.out(h)
'''

FROM_IMPORT_STYLE = '''
from tensorflow.keras import Model
from tensorflow.keras.layers import Dense, Layer


class Block(Layer):
    def __init__(self, units, **kwargs):
        Layer.__init__(self, **kwargs)
        self.a = Dense(units, activation="relu")
        self.b = Dense(units)

    def call(self, x):
        return x + self.b(self.a(x))


class Net(Model):
    def __init__(self, units=4, depth=2, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [Block(units) for _ in range(depth)]

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return x
'''

ANNOTATED_STYLE = '''
from __future__ import annotations

import keras as K


@K.saving.register_keras_serializable()
class Twin(K.Model):
    def __init__(self, dim: int = 4, *, rate: float = 0.1, **kw) -> None:
        super().__init__(**kw)
        self.encoder: K.layers.Layer = K.layers.Dense(dim, activation=K.activations.tanh)
        self.drop = K.layers.Dropout(rate)

    def call(self, pair, training: bool | None = None):
        a, b = pair
        d = K.ops.abs(self.encoder(a) - self.encoder(b))
        return self.drop(d, training=training) + K.ops.relu(d)

    def get_config(self) -> dict:
        return {**super().get_config(), "dim": self.encoder.units, "rate": self.drop.rate}
'''

STYLES = {"tf": TF_STYLE, "keras": KERAS_STYLE, "from_import": FROM_IMPORT_STYLE, "annotated": ANNOTATED_STYLE}


def made(source: str, operator: str):
    return mutants(textwrap.dedent(source), [operator])


def tree(code: str) -> str:
    return ast.dump(ast.parse(code))


def has(code: str, fragment: str) -> bool:
    return fragment in code


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("operator", OPERATORS)
def test_every_mutant_is_valid_python_different_from_the_source_and_named_by_operator(style, operator):
    source = STYLES[style]
    seen = {normalised(source)}
    for m in made(source, operator):
        compile(m.source, "mutant.py", "exec")
        assert m.id.startswith(f"{operator}/") and m.operator == operator
        assert m.description and "\n" not in m.description
        assert normalised(m.source) not in seen  # none equals the source or another mutant
        seen.add(normalised(m.source))


@pytest.mark.parametrize("style", STYLES)
def test_ids_are_unique_and_the_same_on_every_run(style):
    first = [m.id for m in mutants(STYLES[style])]
    assert len(first) == len(set(first))
    assert first == [m.id for m in mutants(STYLES[style])]


def test_a_mutant_keeps_the_formatting_and_comments_of_the_rest_of_the_file():
    source = TF_STYLE.replace("    def call", "    # a comment the author wrote\n    def call")
    [m] = made(source, "super_drop")
    assert m.source == source.replace("        super().__init__(**kwargs)\n", "")


@pytest.mark.parametrize("style,call", [("tf", "super().__init__"), ("keras", "super(Net, self).__init__"),
                                        ("from_import", "Layer.__init__(self")])
def test_super_drop_removes_each_form_of_the_parent_call(style, call):
    source = textwrap.dedent(STYLES[style])
    assert any(m.source == "".join(line for line in source.splitlines(True) if call not in line)
               for m in made(source, "super_drop"))


def test_super_move_puts_the_parent_call_last_in_init():
    m = made(TF_STYLE, "super_move")[0]
    init = m.source.split("def __init__")[1].split("def call")[0]
    assert init.strip().splitlines()[-1].strip() == "super().__init__(**kwargs)"


@pytest.mark.parametrize("style,name", [("tf", "kwargs"), ("keras", "options")])
def test_kwargs_drop_makes_one_mutant_for_the_call_and_one_for_the_signature(style, name):
    found = {m.id.rsplit(":", 1)[1]: m.source for m in made(STYLES[style], "kwargs_drop")}
    assert set(found) == {"call", "signature"}
    assert f"**{name}):" in found["call"] and f"__init__(**{name})" not in found["call"]
    assert f"**{name}" not in found["signature"]


@pytest.mark.parametrize("style,base,wanted", [
    ("tf", "tf.keras.Model", {"tf.keras.layers.Layer", "object"}),
    ("keras", "keras.Model", {"keras.layers.Layer", "object"}),
    ("from_import", "Layer", {"Model", "object"}),
])
def test_base_class_swaps_model_and_layer_or_object(style, base, wanted):
    new = {m.id.rsplit(":", 1)[1] for m in made(STYLES[style], "base_class") if m.id.split("/")[1].startswith(
        "Block" if style == "from_import" else "Net")}
    assert new == wanted


@pytest.mark.parametrize("style", ["tf", "keras"])
def test_layer_into_call_moves_the_creation_and_reads_the_argument_from_self(style):
    m = next(m for m in made(STYLES[style], "layer_into_call") if m.id.endswith("self.hidden"))
    init, call = m.source.split("def call")
    assert "self.hidden =" not in init and "self.units = units" in init
    assert "self.hidden = " in call and "self.units" in call
    compile(m.source, "m.py", "exec")


def test_layer_into_call_moves_a_list_comprehension_of_blocks():
    m = next(m for m in made(FROM_IMPORT_STYLE, "layer_into_call") if m.id.endswith("self.blocks"))
    call = m.source.split("class Net")[1].split("def call")[1]
    assert "self.blocks = [Block(self.units) for _ in range(self.depth)]" in call


def test_weights_into_init_moves_add_weight_with_its_locals_for_a_fixed_input_size():
    source = '''
    import keras


    class Linear(keras.layers.Layer):
        def __init__(self, units=4, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, shape):
            n = shape[-1]
            self.w = self.add_weight(shape=(n, self.units))
            self.b = self.add_weight(shape=(self.units,), initializer="zeros")

        def call(self, x):
            return keras.ops.matmul(x, self.w) + self.b
    '''
    [m] = made(source, "weights_into_init")
    assert "def build" not in m.source
    init = m.source.split("def __init__")[1].split("def call")[0]
    assert "n = (None, 32)[-1]" in init and "self.w = self.add_weight" in init


def test_weights_into_init_keeps_the_rest_of_build():
    source = '''
    import keras


    class Linear(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2))
            self.ready = True
    '''
    [m] = made(source, "weights_into_init")
    assert "def build" in m.source and "self.ready = True" in m.source.split("def build")[1]
    assert "(None, 32)[-1], 2" in m.source.split("def build")[0]


@pytest.mark.parametrize("style", ["tf", "keras"])
def test_constant_arg_replaces_each_use_of_an_argument_by_its_default(style):
    found = {m.id: m.source for m in made(STYLES[style], "constant_arg")}
    assert any("Dense(num_classes" not in s and "Dense(3" in s for s in found.values())
    assert any("units=8" in s or "Dense(8" in s for s in found.values())


def test_constant_arg_takes_a_missing_default_from_another_init_of_the_file():
    found = [m.source for m in made(FROM_IMPORT_STYLE, "constant_arg")]
    assert any("self.a = Dense(4, activation" in s for s in found)  # Block(units) has no default; Net's is 4


def test_activation_changes_or_drops_a_keyword_activation_in_any_spelling():
    found = {m.id.split(":")[-2] + ":" + m.id.split(":")[-1]: m.source for m in made(KERAS_STYLE, "activation")}
    assert {"self.hidden:softmax", "self.hidden:sigmoid", "self.hidden:none", "self.out:relu"} <= set(found)
    assert "activation=keras.activations.relu" not in found["self.hidden:none"]
    assert "self.hidden:relu" not in found  # keras.activations.relu is relu already


def test_activation_changes_or_drops_an_activation_function_in_the_forward_pass():
    source = '''
    import tensorflow as tf
    from keras import ops


    class Block(tf.keras.layers.Layer):
        def call(self, x):
            return ops.relu(x) + tf.nn.sigmoid(x)
    '''
    found = [m.source for m in made(source, "activation")]
    assert any("ops.softmax(x)" in s for s in found) and any("return x + tf.nn.sigmoid(x)" in s for s in found)
    assert any("tf.nn.relu(x)" in s for s in found) and any("ops.relu(x) + x" in s for s in found)


def test_recurrent_flips_or_adds_return_sequences_and_swaps_the_cell():
    source = '''
    import keras


    class Net(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.a = keras.layers.GRU(4)
            self.b = keras.layers.LSTM(4, return_sequences=True)
    '''
    found = {m.id.split(":", 1)[1]: m.source for m in made(source, "recurrent")}
    assert "GRU(4, return_sequences=True)" in found["self.a:return_sequences"]
    assert "return_sequences=False" in found["self.b:return_sequences"]
    assert "keras.layers.LSTM(4)" in found["self.a:LSTM"] and "SimpleRNN(4, return" in found["self.b:SimpleRNN"]


def test_padding_and_pooling_flip_padding_and_swap_pooling_kinds():
    source = '''
    from keras import layers
    import tensorflow as tf


    class Net(tf.keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.conv = layers.Conv2D(4, 3, padding="same")
            self.conv2 = layers.Conv2D(4, 3)
            self.pool = layers.MaxPool2D(2)
            self.gap = tf.keras.layers.GlobalAveragePooling2D()

        def call(self, x):
            return tf.reduce_mean(self.gap(self.pool(self.conv2(self.conv(x)))), axis=-1)
    '''
    found = [m.source for m in made(source, "padding_and_pooling")]
    assert any('Conv2D(4, 3, padding="valid")' in s for s in found)
    assert any('self.conv2 = layers.Conv2D(4, 3, padding="same")' in s for s in found)
    assert any("layers.AvgPool2D(2)" in s for s in found) and any("GlobalMaxPooling2D()" in s for s in found)
    assert any("tf.reduce_max(" in s for s in found)


@pytest.mark.parametrize("style", ["tf", "keras"])
def test_drop_layer_skips_each_layer_of_the_forward_pass(style):
    found = {m.id.rsplit(":", 1)[1]: m.source.split("def call")[1] for m in made(STYLES[style], "drop_layer")}
    assert set(found) == {"self.hidden", "self.out"}
    assert "self.hidden(" not in found["self.hidden"] and "self.out(" not in found["self.out"]


def test_drop_layer_skips_the_layers_called_in_a_loop():
    [m] = [m for m in made(FROM_IMPORT_STYLE, "drop_layer") if "Net.call" in m.id]
    assert "x = x" in m.source.split("class Net")[1]


def test_drop_skip_drops_either_side_of_a_residual_sum_or_an_add_call():
    found = [m.source for m in made(FROM_IMPORT_STYLE, "drop_skip")]
    assert any("return self.b(self.a(x))" in s for s in found) and any("return x\n" in s for s in found)
    source = '''
    import keras


    class Block(keras.layers.Layer):
        def call(self, x):
            return keras.ops.add(x, self.f(x))
    '''
    assert any("return self.f(x)" in m.source for m in made(source, "drop_skip"))


def test_a_call_left_out_keeps_the_precedence_of_its_argument():
    source = "import tensorflow as tf\n\n\ndef f(a, b):\n    return 2 * tf.abs(a - b)\n"
    [m] = made(source, "drop_abs")
    assert "return 2 * (a - b)" in m.source


def test_drop_skip_leaves_a_constant_offset_alone():
    source = "class A:\n    def call(self, x):\n        return x + 1\n"
    assert made(source, "drop_skip") == []


def test_drop_abs_removes_abs_in_every_spelling():
    source = '''
    import tensorflow as tf
    import keras


    class Net(keras.Model):
        def call(self, a, b):
            return tf.abs(a - b) + keras.ops.abs(a) + abs(b)
    '''
    found = [m.source for m in made(source, "drop_abs")]
    assert len(found) == 3
    assert any("return (a - b) + keras" in s for s in found)
    assert any("tf.abs(a - b) + a + abs(b)" in s for s in found)
    assert any(s.rstrip().endswith("keras.ops.abs(a) + b") for s in found)


def test_training_arg_drops_or_hard_codes_each_training_argument():
    source = '''
    import keras


    class Net(keras.Model):
        def call(self, x, training=None):
            return self.drop(self.norm(x, training=training), training=training)

        def train_step(self, data):
            return self(data, training=True)
    '''
    found = {m.id: m.source for m in made(source, "training_arg")}
    assert len([i for i in found if "Net.call" in i]) == 6
    step = [i for i in found if "train_step" in i]
    assert sorted(i.rsplit(":", 1)[1] for i in step) == ["False", "drop"]  # True is what it says already


def test_share_one_calls_one_layer_twice_and_repeats_one_block():
    found = {m.id: m.source for m in made(FROM_IMPORT_STYLE, "share_one")}
    assert any("self.a(self.a(x))" in s for s in found.values())
    assert any("[Block(units)] * depth" in s for s in found.values())
    assert not any("Dense(size) for size" in s for s in found.values())


def test_share_one_leaves_a_comprehension_that_uses_its_item_alone():
    source = '''
    import keras


    class Net(keras.Model):
        def __init__(self, sizes=(4, 2), **kwargs):
            super().__init__(**kwargs)
            self.layers_ = [keras.layers.Dense(s) for s in sizes]
    '''
    assert made(source, "share_one") == []


def test_share_none_gives_the_second_use_of_a_shared_layer_its_own_copy():
    source = '''
    import keras


    class Siamese(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.encoder = keras.layers.Dense(4)

        def call(self, pair):
            a, b = pair
            return keras.ops.abs(self.encoder(a) - self.encoder(b))
    '''
    [m] = made(source, "share_none")
    assert "self.encoder_copy = keras.layers.Dense(4)" in m.source
    assert "self.encoder(a) - self.encoder_copy(b)" in m.source


def test_share_none_copies_a_helper_method_used_twice():
    source = '''
    import keras


    class Siamese(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.encoder = keras.Sequential([keras.layers.Dense(4)])

        def embed(self, x):
            return self.encoder(x)

        def call(self, pair):
            return self.embed(pair[0]) - self.embed(pair[1])
    '''
    [m] = made(source, "share_none")
    assert "def embed_copy(self, x):\n        return self.encoder_copy(x)" in m.source
    assert "self.embed(pair[0]) - self.embed_copy(pair[1])" in m.source


def test_clip_per_variable_replaces_global_norm_clipping_in_a_call_or_an_optimizer():
    source = '''
    import tensorflow as tf
    import keras


    class Net(keras.Model):
        def train_step(self, data):
            grads, norm = tf.clip_by_global_norm(self.g, self.c)
            self.opt = keras.optimizers.SGD(global_clipnorm=1.0)
    '''
    found = [m.source for m in made(source, "clip_per_variable")]
    assert any("[tf.clip_by_norm(_g, self.c) for _g in self.g], tf.linalg.global_norm(self.g)" in s for s in found)
    assert any("SGD(clipnorm=1.0)" in s for s in found)


def test_compiled_loss_replaces_compute_loss_by_self_loss_or_a_fixed_mse():
    source = '''
    import keras


    class Net(keras.Model):
        def train_step(self, data):
            x, y = data
            loss = self.compute_loss(x, y, self(x))
    '''
    found = [m.source for m in made(source, "compiled_loss")]
    assert any("loss = self.loss(y, self(x))" in s for s in found)
    assert any("keras.ops.mean(keras.ops.square(y - self(x)))" in s for s in found)


def test_drop_metrics_removes_the_metrics_property_only():
    source = '''
    import keras


    class Net(keras.Model):
        @property
        def metrics(self):
            return [self.tracker]

        def call(self, x):
            return x
    '''
    [m] = made(source, "drop_metrics")
    assert "metrics" not in m.source and "def call" in m.source


@pytest.mark.parametrize("decorator", ["@keras.saving.register_keras_serializable(package='p')",
                                       "@tf.keras.utils.register_keras_serializable()",
                                       "@register_keras_serializable"])
def test_drop_register_removes_the_registration_decorator_in_each_spelling(decorator):
    source = f"import keras\n\n\n{decorator}\nclass Net(keras.Model):\n    pass\n"
    [m] = made(source, "drop_register")
    assert "register" not in m.source and "class Net(keras.Model)" in m.source


def test_drop_config_key_drops_each_key_of_a_dict_an_update_or_an_assignment():
    source = '''
    import keras


    class Net(keras.Model):
        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units, "rate": self.rate})
            config.update(depth=self.depth)
            config["act"] = self.act
            return config
    '''
    found = {m.id.rsplit(":", 1)[1]: m.source for m in made(source, "drop_config_key")}
    assert set(found) == {"units", "rate", "depth", '"act"'}
    assert '"units"' not in found["units"] and "depth=" not in found["depth"] and "config[" not in found['"act"']


def test_mutants_of_a_file_without_keras_are_none():
    assert mutants("def f(x):\n    return x\n") == []


def test_a_mutant_equal_to_the_source_after_normalisation_is_left_out():
    # drop_skip on `x + x` gives `x` twice: one mutant, not two
    source = "class A:\n    def call(self, x):\n        return self.f(x) + self.f(x)\n"
    assert len(made(source, "drop_skip")) == 1


def test_the_operators_find_their_sites_in_every_correct_solution_written_in_another_style():
    from .conftest import ROOT

    files = sorted((ROOT / "tests" / "alternatives").glob("*/*.py"))
    assert len(files) >= 19
    made_by = set()
    for path in files:
        found = mutants(path.read_text(encoding="utf-8"))
        assert found, path
        for m in found:
            compile(m.source, str(path), "exec")
            made_by.add(m.operator)
    assert made_by == set(OPERATORS)  # every operator has a site in some correct solution
