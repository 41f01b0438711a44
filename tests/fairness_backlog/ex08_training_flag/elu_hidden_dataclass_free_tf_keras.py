"""`from tensorflow import keras`, the hidden Dense given the "elu" activation (the contract fixes
no activation for `self.dense`), BatchNormalization then Dropout, `training` forwarded, and
`super(Cls, self).__init__(**kwargs)`."""
from tensorflow import keras


class RegularizedMLP(keras.Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super(RegularizedMLP, self).__init__(**kwargs)
        self.dense = keras.layers.Dense(hidden_units, activation="elu")
        self.batch_norm = keras.layers.BatchNormalization()
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.classifier = keras.layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=None):
        h = self.batch_norm(self.dense(inputs), training=training)
        h = self.dropout(h, training=training)
        return self.classifier(h)
