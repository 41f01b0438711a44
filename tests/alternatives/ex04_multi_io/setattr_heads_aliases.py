"""Correct, in another style: module-level aliases (`Model = tf.keras.models.Model`,
`Dense = keras.layers.Dense`), Dense given its activation and name positionally / by keyword,
the two heads made with `setattr` in a loop over a table of output names."""
import keras
import tensorflow as tf

Model = tf.keras.models.Model
Dense = keras.layers.Dense


class MultiTaskModel(Model):
    OUTPUTS = ("label", "score")

    def __init__(self, num_classes=4, hidden_units=32, **kwargs):
        super().__init__(**kwargs)
        self.shared = Dense(hidden_units, "relu", name="shared")
        specs = {"label": (num_classes, "softmax"), "score": (1, None)}
        for out_name in self.OUTPUTS:
            units, act = specs[out_name]
            setattr(self, f"{out_name}_head", Dense(units, act, name=f"{out_name}_head"))

    def call(self, inputs):
        hidden = self.shared(tf.concat([inputs["features"], inputs["metadata"]], axis=1))
        return {out_name: getattr(self, f"{out_name}_head")(hidden) for out_name in self.OUTPUTS}
