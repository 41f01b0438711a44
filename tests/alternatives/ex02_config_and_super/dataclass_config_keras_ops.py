"""Correct, in another style: a `@dataclass` holding the three settings (get_config reads it
with dataclasses.asdict), `import keras` only with keras.ops (no `tf.*` call), type hints."""
import dataclasses
from dataclasses import dataclass

import keras
from keras import ops


@dataclass
class MLPConfig:
    hidden_sizes: tuple = (64, 32)
    num_classes: int = 10
    dropout_rate: float = 0.0


@keras.saving.register_keras_serializable(package="dataclass_course")
class ConfigurableMLP(keras.Model):
    """An MLP whose depth, width, dropout and classes come from the constructor."""

    def __init__(self, hidden_sizes=(64, 32), num_classes: int = 10, dropout_rate: float = 0.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = MLPConfig(tuple(hidden_sizes), num_classes, dropout_rate)
        self.hidden_sizes = self.settings.hidden_sizes
        self.num_classes = self.settings.num_classes
        self.dropout_rate = self.settings.dropout_rate
        self.hidden_layers: list = [keras.layers.Dense(size, activation="relu")
                                    for size in self.settings.hidden_sizes]
        self.dropout = keras.layers.Dropout(self.settings.dropout_rate)
        self.classifier = keras.layers.Dense(self.settings.num_classes)

    def call(self, inputs, training=None):
        x = ops.cast(inputs, "float32")
        for dense in self.hidden_layers:
            x = self.dropout(dense(x), training=training)
        return self.classifier(x)

    def get_config(self) -> dict:
        config = super().get_config()
        settings = dataclasses.asdict(self.settings)
        settings["hidden_sizes"] = list(settings["hidden_sizes"])
        config.update(settings)
        return config
