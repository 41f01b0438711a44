"""Correct, in another style: module-level aliases (`Model = tf.keras.models.Model`,
`Dense = keras.layers.Dense`, `Dropout = keras.layers.Dropout`), the activation and the layer
names given positionally (`Dense(size, "relu", name=...)`), `@tf.function(reduce_retracing=True)`
on call(), and the registration applied as a call after the class statement."""
import keras
import tensorflow as tf

Model = tf.keras.models.Model
Dense = keras.layers.Dense
Dropout = keras.layers.Dropout


class ConfigurableMLP(Model):
    def __init__(self, hidden_sizes=(64, 32), num_classes=10, dropout_rate=0.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden_sizes = tuple(hidden_sizes)
        self.num_classes = num_classes
        self.dropout_rate = dropout_rate
        self.hidden_layers = [Dense(size, "relu", name=f"hidden_{i}")
                              for i, size in enumerate(self.hidden_sizes)]
        self.dropout = Dropout(dropout_rate, name="dropout")
        self.classifier = Dense(num_classes, None, name="classifier")

    @tf.function(reduce_retracing=True)
    def call(self, inputs, training=None):
        x = inputs
        for layer in self.hidden_layers:
            x = self.dropout(layer(x), training=training)
        return self.classifier(x)

    def get_config(self):
        config = super().get_config()
        config.update({"hidden_sizes": list(self.hidden_sizes), "num_classes": self.num_classes,
                       "dropout_rate": self.dropout_rate})
        return config


ConfigurableMLP = keras.saving.register_keras_serializable(package="alias_course")(ConfigurableMLP)
