"""keras.ops only (no tf.*): a linear Dense, BatchNormalization, then `keras.ops.gelu` applied in
call() (the contract fixes no hidden activation), Dropout, and a softmax classifier; type hints."""
import keras
from keras import ops


class RegularizedMLP(keras.Model):
    def __init__(self, hidden_units: int = 64, num_classes: int = 3, dropout_rate: float = 0.5, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(hidden_units)
        self.batch_norm = keras.layers.BatchNormalization()
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training: bool | None = None):
        h = self.batch_norm(self.dense(inputs), training=training)
        h = ops.gelu(h)
        h = self.dropout(h, training=training)
        return self.classifier(h)
