"""Correct, in another style: `import keras`, super(Cls, self), ReLU on the Dense layer before
BatchNormalization, keras.ops, and a call() without a `training` argument (Keras 3 passes the
flag down to the nested layers by itself)."""
import keras
from keras import layers


class RegularizedMLP(keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super(RegularizedMLP, self).__init__(**kwargs)
        self.dense = layers.Dense(units=hidden_units, activation="relu")
        self.batch_norm = layers.BatchNormalization(momentum=0.9)
        self.dropout = layers.Dropout(rate=dropout_rate)
        self.classifier = layers.Dense(units=num_classes)

    def hidden(self, x):
        return self.dropout(self.batch_norm(self.dense(x)))

    def call(self, inputs):
        return keras.ops.softmax(self.classifier(self.hidden(inputs)), axis=-1)
