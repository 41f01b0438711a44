"""Correct, in another style: module-level aliases (`Model = tf.keras.models.Model`, `Dense = ...`),
`super(Cls, self).__init__(**kwargs)`, `build()` that builds each layer for the input's width,
`compute_output_shape`, `@tf.function(reduce_retracing=True)` on call(), and the softmax as
`tf.nn.softmax(logits, axis=-1)` in call()."""
import tensorflow as tf

Model = tf.keras.models.Model
Dense = tf.keras.layers.Dense
BatchNormalization = tf.keras.layers.BatchNormalization
Dropout = tf.keras.layers.Dropout


class RegularizedMLP(Model):
    def __init__(self, hidden_units=64, num_classes=3, dropout_rate=0.5, **kwargs):
        super(RegularizedMLP, self).__init__(**kwargs)
        self.hidden_units = hidden_units
        self.num_classes = num_classes
        self.dense = Dense(hidden_units)
        self.batch_norm = BatchNormalization()
        self.dropout = Dropout(dropout_rate)
        self.classifier = Dense(num_classes)

    def build(self, input_shape):
        self.dense.build(input_shape)
        self.batch_norm.build((None, self.hidden_units))
        self.dropout.build((None, self.hidden_units))
        self.classifier.build((None, self.hidden_units))
        self.built = True

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    @tf.function(reduce_retracing=True)
    def call(self, inputs, training=None):
        h = tf.nn.relu(self.batch_norm(self.dense(inputs), training=training))
        logits = self.classifier(self.dropout(h, training=training))
        return tf.nn.softmax(logits, axis=-1)
